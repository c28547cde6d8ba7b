// web/app_train.h — live training in the app: its settings, the session, the training set as it
// downloads, the held-out test error and the plots. One struct in AppState (AppState::train).
//   app_train.cpp       the session: start, pause, one sample / minibatch, a time-budgeted slice of
//                       training per frame, the held-out evaluations between slices
//   app_train_data.cpp  the training set (an on-demand download on the page, files on the desktop)
//                       and the fixed held-out subset of the test set
//   app_train_api.cpp   the `train` and `pause` commands and the state() fields
//   panels/train_panel.cpp  the Train tab
// Nothing trains on test digits: training reads data/<dataset>/train-*, the error is measured on the
// test set.
#pragma once

#include "train_logic.h"

#include <lenet/lenet.h>

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

struct AppState;

// What the next Trainer is made with (the Train tab's settings, window.lenet.train's options).
struct TrainSettings {
    lenet::Optimizer optimizer = lenet::Optimizer::Sdlm;
    lenet::Schedule  schedule  = lenet::Schedule::Paper;   // Constant or Paper in the app
    float            lr        = 0.00002f;
    int              batch     = 1;
    bool             distort   = false;
    uint64_t         seed      = 1;     // shuffling and distortions (the network's init is AppState::seed)
    bool operator==(const TrainSettings& o) const {
        return optimizer == o.optimizer && schedule == o.schedule && lr == o.lr && batch == o.batch &&
               distort == o.distort && seed == o.seed;
    }
};

// The training set: the two idx files of data/<dataset>/ (web: fetched when training first needs them).
struct TrainData {
    lenet::Dataset set;             // loaded; set.name is the data set ("mnist", "fashion")
    std::string    wanted;          // the data set asked for and not loaded yet ("" = none)
    float          progress = 0;    // download progress 0..1 of `wanted`
    std::unique_ptr<lenet::IdxLoader> loader;  // its files have arrived: read a slice per frame
    float          budget_ms = 8.0f;  // reading time per frame (MNIST's 47 MB in one go: ~200 ms)
    std::string    error;           // the download failed or the files are bad: shown with a Retry
    float prepared() const { return loader ? float(loader->done()) / float(std::max(1, loader->total())) : 0.0f; }
};

// One evaluation of the current weights on test digits, a slice per frame (training waits meanwhile,
// so it measures one set of weights).
struct HeldOut {
    lenet::Dataset                    subset;        // the fixed held-out subset (spread over the test set)
    std::unique_ptr<lenet::Evaluator> eval;          // running, or null
    bool                              eval_full = false;  // the running one is the whole test set
    int64_t                           next_at = 0;   // session samples at which the subset is next evaluated
    float                             error = -1;    // latest error rate on the subset (-1: none yet)
    float                             full_error = -1;  // latest error rate on the whole test set
    int64_t                           full_at = -1;  // session samples when that was measured
    int                               full_count = 0;
};

struct TrainState {
    TrainSettings                   settings;
    lenet::LossKind                 loss = lenet::LossKind::Mse;  // the Train tab's choice (applied at start)
    bool                            running = false;
    bool                            start_when_ready = false;  // start once the training set has arrived
    int64_t                         samples_left = -1;  // pause after this many more samples (-1: until paused)
    TrainData                       data;
    std::unique_ptr<lenet::Trainer> trainer;
    TrainSettings                   trainer_settings;   // what `trainer` was made with
    lenet::TrainProgress            last;               // the trainer's latest progress
    int64_t                         samples_before = 0; // samples of earlier trainers in this session
    std::string                     from;               // what the session started from: a shipped file, or ""
    uint64_t                        from_seed = 0;      //   the seeded init's seed when from is ""
    std::string                     error;              // last failure (diverged, bad settings)
    float                           budget_ms = 12.0f;  // training time per frame
    double                          ms_per_sample = 0;  // measured, for the next slice's size
    double                          ms_per_eval = 0;    //   the same for the evaluations
    double                          plot_loss = 0;      // loss summed over the samples since the last plot point
    int                             plot_n = 0;
    double                          speed = 0;          // samples per second of wall time (smoothed)
    double                          speed_clock = -1, speed_samples = 0;
    int                             eval_every = 5000;  // session samples between held-out evaluations
    HeldOut                         held;
    lenet_web::Series               loss_plot, test_plot, speed_plot, lr_plot, pass_plot;  // x = session samples
};

void    train_defaults(AppState& app, const lenet::ArchSpec& spec);  // settings for a new network
void    train_end(AppState& app);     // the weights or the network changed: the session ends
void    train_resume(AppState& app);  // start or continue (waits for the training set; throws lenet::Error)
void    train_pause(AppState& app);
void    train_samples(AppState& app, int64_t n);  // train n more samples, then pause
void    train_reinitialise(AppState& app);         // a fresh seeded init (the next seed), untrained
void    train_shipped(AppState& app);              // back to the shipped weights of this network
void    train_tick(AppState& app);    // a frame's slice: the training set, evaluations, training
void    train_evaluate_full(AppState& app);        // the whole test set, a slice per frame
int64_t train_samples_seen(const AppState& app);   // in this session
bool    train_settings_valid(const AppState& app, std::string* why);
// The training set for app.dataset: loaded, or asked for (false: not yet; data.error says a failure).
bool    train_data_ready(AppState& app);
void    train_data_retry(AppState& app);           // fetch the training set again after a failure
void    train_held_out_subset(AppState& app);      // the fixed 1,000 test digits, when the test set is whole

// What the weights are, for every label that says so (top badge, input and weights panels, state):
// a shipped file, trained in this session (from a shipped file or a seeded init), or the seeded init.
enum class WeightsStatus { Shipped, Loaded, TrainedHere, Untrained };  // Loaded: the user's file
WeightsStatus weights_status(const AppState& app);
std::string   trained_from(const AppState& app);   // "lenet5-1998.lenet" or "seed 43"

// window.lenet: the train and pause commands, and the training fields of state() (app_train_api.cpp).
bool train_command(AppState& app, const nlohmann::json& cmd, std::string& reply);  // false: not ours
void train_state_json(const AppState& app, nlohmann::json& j);
