// web/app_btrace.h — "Trace a unit" on a backward step (OUTPUT' .. C1'): the unit clicked in the
// step's dE/d(output) maps (app.unit_*, as the forward trace) has its delta rebuilt term by term and
// one weight of its map has its gradient rebuilt as a sum of input x delta terms, both checked
// against the engine (the arithmetic: trace_backward.h). The trace is built once when the selection,
// the step or the gradients change and kept in BackwardTraceView (AppState::btrace), so a frame only
// draws it. app_btrace.cpp: the cache, the JSON command and state fields;
// panels/backward_trace_panel.cpp draws it in place of the forward trace panel.
//
// app.h includes this header after ScreenRect is defined: include app.h, not this file.
#pragma once

#include "trace_backward.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

struct AppState;

struct BackwardTraceView {
    long version = -1;                   // BackwardView::version the trace is of (-1: none)
    int  step = -1, map = -1, y = 0, x = 0;  // the backward step and unit it is of
    lenet_web::BackTrace   t;            // the unit's delta
    lenet_web::WeightTrace w;            // one weight of its map (not valid: the layer has none)
    std::vector<ScreenRect> rects;       // the step's dE/d(output) maps as drawn last (a vector
                                         // layer: one rect, its grid), screen pixels, for tests
};

// The trace of the selected unit of the backward step shown, rebuilt if stale; null when no
// backward layer step is shown or no unit of it is selected.
const BackwardTraceView* backward_trace(AppState& app);

// ---- panels/backward_trace_panel.cpp ------------------------------------------------------------
void draw_backward_trace_panel(AppState& app);  // the "Trace a unit" tab while a training step is shown

// ---- app_btrace.cpp: its part of app_api.cpp's JSON interface -----------------------------------
bool btrace_command(AppState& app, const nlohmann::json& cmd, std::string& reply);  // true: handled
void btrace_state_json(const AppState& app, nlohmann::json& j);                    // adds backward_trace
