// web/app_train_api.cpp — live training through window.lenet (web/lenet_api.js: lenet.train(),
// lenet.pause()) and its fields of state(). The commands ({"cmd": name, ...}):
//   train {on, optimizer: "sgd"|"sdlm", lr, batch, schedule: "constant"|"paper", loss: "mse"|"map"|"xent",
//          distort, seed, steps, reset, eval_every}
//          every option may be left out (the Train tab's settings stay). reset: true re-initialises the
//          network first (the next seed). steps: parameter updates (minibatches) to run, then pause;
//          without it training runs until paused. on: false pauses. The first start fetches the
//          training set on the page: the reply says {waiting: true} until it has arrived, and training
//          starts by itself then. Reply {ok, training, waiting, samples_seen}.
//   pause                    pause training (the session and its plots stay).
//   train_retry              fetch the training set again after a failed or damaged download.
//   evaluate_held_out        the current weights on the whole test set, a slice per frame
//                            (state: test_eval, then test_error_full).
// state() fields: mode ("train" while training or waiting for the training set), training, samples_seen,
//   train_samples (of the current Trainer), train_loss (mean over the latest 1,000 training samples),
//   train_error (of the current pass so far), test_error (held-out: the latest error rate on the fixed
//   1,000-digit subset of the test set, null before the first), test_error_full, test_error_full_at
//   (samples_seen then), test_eval ({full, done, total} while one runs, else null), samples_per_s (0 when paused),
//   train_lr (eta now), train_pass (1-based), train_data ({name, count}, null until loaded),
//   train_data_progress (0..1, the download), train_data_prepared (0..1: read, a slice per frame, once
//   downloaded), train_data_error, train_waiting (starts when the training set has arrived),
//   train_error_message, train_settings {optimizer, schedule, lr, batch, loss, distort, seed},
//   weights_from (what the session started from: a shipped file or "seed N").
#include "app.h"

#include <nlohmann/json.hpp>

#include <cmath>

using nlohmann::json;

namespace {

// The options of a train command into the settings; "" when they are good, else what is wrong.
std::string read_options(AppState& app, const json& cmd) {
    TrainSettings s = app.train.settings;
    lenet::LossKind loss = app.train.loss;
    try {
        if (cmd.contains("optimizer")) {
            if (!cmd["optimizer"].is_string()) return "\"optimizer\" must be \"sgd\" or \"sdlm\"";
            s.optimizer = lenet::optimizer_from_name(cmd["optimizer"].get<std::string>());
        }
        if (cmd.contains("schedule")) {
            const std::string v = cmd["schedule"].is_string() ? cmd["schedule"].get<std::string>() : "";
            if (v != "constant" && v != "paper") return "\"schedule\" must be \"constant\" or \"paper\"";
            s.schedule = lenet::schedule_from_name(v);
        }
        if (cmd.contains("loss")) {
            if (!cmd["loss"].is_string()) return "\"loss\" must be \"mse\", \"map\" or \"xent\"";
            loss = lenet::loss_from_name(cmd["loss"].get<std::string>());
        }
    } catch (const lenet::Error& e) {
        return e.what();
    }
    if (cmd.contains("lr")) {
        if (!cmd["lr"].is_number() || !(cmd["lr"].get<double>() > 0) || cmd["lr"].get<double>() > 1)
            return "\"lr\" must be a number in (0, 1]";
        s.lr = cmd["lr"].get<float>();
    }
    if (cmd.contains("batch")) {
        if (!cmd["batch"].is_number_integer() || cmd["batch"].get<long long>() < 1 || cmd["batch"].get<long long>() > 1024)
            return "\"batch\" must be an integer in 1..1024";
        s.batch = cmd["batch"].get<int>();
    }
    if (cmd.contains("distort")) {
        if (!cmd["distort"].is_boolean()) return "\"distort\" must be true or false";
        s.distort = cmd["distort"].get<bool>();
    }
    if (cmd.contains("seed")) {
        if (!cmd["seed"].is_number_unsigned()) return "\"seed\" must be a non-negative integer";
        s.seed = cmd["seed"].get<uint64_t>();
    }
    if (cmd.contains("eval_every")) {
        if (!cmd["eval_every"].is_number_integer() || cmd["eval_every"].get<long long>() < 100 ||
            cmd["eval_every"].get<long long>() > 1000000)
            return "\"eval_every\" must be an integer in 100..1,000,000 (training samples)";
        app.train.eval_every = cmd["eval_every"].get<int>();
    }
    app.train.settings = s;
    app.train.loss = loss;
    return "";
}

std::string train(AppState& app, const json& cmd) {
    auto fail = [](const std::string& e) { return json({{"ok", false}, {"error", "train: " + e}}).dump(); };
    app.focus_train = true;
    if (cmd.contains("on") && cmd["on"] == false) {
        train_pause(app);
        return json({{"ok", true}, {"training", false}}).dump();
    }
    int64_t steps = -1;
    if (cmd.contains("steps")) {
        if (!cmd["steps"].is_number_integer() || cmd["steps"].get<long long>() < 1 ||
            cmd["steps"].get<long long>() > 100000000)
            return fail("\"steps\" must be an integer in 1..100,000,000 (parameter updates)");
        steps = cmd["steps"].get<int64_t>();
    }
    if (cmd.contains("reset") && !cmd["reset"].is_boolean()) return fail("\"reset\" must be true or false");
    const std::string bad = read_options(app, cmd);
    if (!bad.empty()) return fail(bad);
    if (cmd.value("reset", false)) train_reinitialise(app);
    if (steps > 0) train_samples(app, steps * app.train.settings.batch);
    else train_resume(app);
    const TrainState& t = app.train;
    return json({{"ok", true}, {"training", t.running}, {"waiting", t.start_when_ready},
                 {"samples_seen", train_samples_seen(app)}}).dump();
}

json or_null(float v) { return v >= 0 && std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

bool train_command(AppState& app, const json& cmd, std::string& reply) {
    const std::string name = cmd["cmd"].get<std::string>();
    if (name == "train") {
        reply = train(app, cmd);
    } else if (name == "pause") {
        train_pause(app);
        reply = json({{"ok", true}, {"training", false}}).dump();
    } else if (name == "train_retry") {
        train_data_retry(app);
        reply = json({{"ok", true}}).dump();
    } else if (name == "evaluate_held_out") {
        train_evaluate_full(app);  // throws lenet::Error while the test set is still downloading
        reply = json({{"ok", true}}).dump();
    } else {
        return false;
    }
    return true;
}

void train_state_json(const AppState& app, json& j) {
    const TrainState& t = app.train;
    const TrainSettings& s = t.settings;
    const bool training = t.running || (t.start_when_ready && t.data.error.empty());
    if (training) j["mode"] = "train";  // otherwise backward_state_json's "step" or "backward" stands
    j["training"] = t.running;
    j["samples_seen"] = train_samples_seen(app);
    j["train_samples"] = t.last.samples;
    j["train_loss"] = t.loss_plot.empty() ? t.last.loss : t.loss_plot.last();
    j["train_error"] = t.last.error;
    j["test_error"] = or_null(t.held.error);
    j["test_error_full"] = or_null(t.held.full_error);
    j["test_error_full_at"] = t.held.full_at;
    j["test_eval"] = t.held.eval ? json({{"full", t.held.eval_full}, {"done", t.held.eval->done()},
                                          {"total", t.held.eval->total()}})
                                 : json(nullptr);
    j["samples_per_s"] = t.running ? t.speed : 0.0;
    j["train_lr"] = t.last.eta;
    j["train_pass"] = t.last.epoch + 1;
    j["train_data"] = t.data.set.count > 0 ? json({{"name", t.data.set.name}, {"count", t.data.set.count}})
                                           : json(nullptr);
    j["train_data_progress"] = t.data.set.count > 0 && t.data.set.name == app.dataset ? 1.0f : t.data.progress;
    j["train_data_prepared"] = t.data.set.count > 0 && t.data.set.name == app.dataset ? 1.0f : t.data.prepared();
    j["train_data_error"] = t.data.error;
    j["train_waiting"] = t.start_when_ready;
    j["train_error_message"] = t.error;
    j["train_settings"] = {{"optimizer", lenet::optimizer_name(s.optimizer)}, {"schedule", lenet::schedule_name(s.schedule)},
                           {"lr", s.lr}, {"batch", s.batch}, {"loss", lenet::loss_name(t.loss)},
                           {"distort", s.distort}, {"seed", s.seed}};
    j["weights_from"] = trained_from(app);
}
