// web/app_stats.cpp — frame-time statistics for the strip panel and the state JSON (tests check
// them): the mean and the worst of the last 120 frames' dt and of the app's own time per frame,
// and the worst frame among those where the user stepped or drew.
#include "app.h"

#include <algorithm>

void update_frame_stats(AppState& app, const FrameInfo& frame, double app_ms) {
    FrameStats& s = app.stats;
    const double dt_ms = frame.dt * 1000.0;
    auto push = [](std::vector<float>& h, double v) {
        if (h.size() >= 120) h.erase(h.begin());
        h.push_back(float(v));
    };
    if (frame.frame > 2) {  // the first frames include start-up work
        push(s.frame_hist, dt_ms);
        push(s.app_hist, app_ms);
    }
    double fs = 0, fm = 0, as = 0, am = 0;
    for (float v : s.frame_hist) { fs += v; fm = std::max(fm, double(v)); }
    for (float v : s.app_hist) { as += v; am = std::max(am, double(v)); }
    if (!s.frame_hist.empty()) {
        s.frame_ms = fs / double(s.frame_hist.size());
        s.app_ms = as / double(s.app_hist.size());
    }
    s.frame_ms_max = fm;
    s.app_ms_max = am;
    if (app.interacted && frame.frame > 2) {
        // dt of this frame covers the previous frame's render + wait; the app's own time is exact.
        s.interact_frames++;
        s.interact_app_ms_max = std::max(s.interact_app_ms_max, app_ms);
        s.interact_frame_ms_max = std::max(s.interact_frame_ms_max, dt_ms);
        if (app_ms >= 16.0) s.interact_slow_frames++;
    }
}
