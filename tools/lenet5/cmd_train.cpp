// cmd_train.cpp — `lenet5 train`: train a network with the engine's Trainer and save it.
//
// Progress: a one-line bar on a terminal (samples/s, ETA, running loss), plain periodic lines
// otherwise (logs). Evaluates on the test set after every pass; saves the last weights to --out
// after every pass and at the end, and the best (lowest test error) to <out stem>.best<ext>.
// Ctrl-C saves the current weights to --out and exits with status 130; divergence saves the last good
// weights and exits with status 3. Progress goes to stderr; the final summary line to stdout, or with
// --json one JSON object on stdout (the summary line then goes to stderr). Details: docs/training.md.
#include "commands.h"

#include <lenet/lenet.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

struct TrainOptions {
    std::string arch, data, dataset = "mnist", optimizer = "sgd", schedule, loss, shuffle = "on", init, input_norm, out;
    int         epochs = 0;
    long long   steps = 0;
    double      lr = 0;
    int         batch = 1;
    double      momentum = 0, weight_decay = 0;
    bool        distort = false, json = false;
    unsigned long long seed = 1;
    int         threads = 1;
    int         repeat = 1;
    double      mu = 0.02;
    double      map_j = 0;  // 0: the spec's
};

std::string fmt_duration(double s) {
    if (!std::isfinite(s) || s < 0) return "?";
    long t = long(s + 0.5);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else std::snprintf(buf, sizeof buf, "%lds", t);
    return buf;
}

// "<dir>/name.lenet" -> "<dir>/name.best.lenet"; no extension: "<out>.best".
std::string best_path(const std::string& out) {
    const size_t slash = out.find_last_of('/');
    const size_t dot = out.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == slash + 1)
        return out + ".best";
    return out.substr(0, dot) + ".best" + out.substr(dot);
}

int run_train(const TrainOptions& o) {
    using Clock = std::chrono::steady_clock;
    FILE* hout = stderr;                        // progress
    FILE* sout = o.json ? stderr : stdout;      // the final summary line
    const bool tty = isatty(fileno(hout)) != 0;

    if (o.epochs > 0 && o.steps > 0)
        throw lenet::Error(lenet::ErrorKind::Usage, "argument", "give --epochs or --steps, not both");
    if (o.arch.empty() && o.init.empty())
        throw lenet::Error(lenet::ErrorKind::Usage, "argument", "--arch is required (or --init with a .lenet file)");
    if (o.shuffle != "on" && o.shuffle != "off")
        throw lenet::Error(lenet::ErrorKind::Usage, "--shuffle", "expected on or off, got '" + o.shuffle + "'");
    if (o.dataset != "mnist" && o.dataset != "fashion")
        throw lenet::Error(lenet::ErrorKind::Usage, "--dataset", "expected mnist or fashion, got '" + o.dataset + "'");

    // Network: from --init, or built from --arch and initialised with --seed.
    if (o.init.empty() && !o.input_norm.empty())
        throw lenet::Error(lenet::ErrorKind::Usage, "--input-norm", "applies to a loaded network: give --init");
    lenet::Network net = o.init.empty() ? lenet::Network(lenet::arch_load(o.arch))
                                        : load_network(o.init, o.arch, o.input_norm);
    if (o.init.empty()) net.init(o.seed);
    if (o.map_j < 0 || !std::isfinite(o.map_j) || o.map_j > 1e4)
        throw lenet::Error(lenet::ErrorKind::Usage, "--map-j", "expected a positive number up to 10000");
    if (!o.loss.empty() || o.map_j > 0) {
        lenet::ArchSpec spec = net.spec();
        if (!o.loss.empty()) spec.loss = lenet::loss_from_name(o.loss);
        if (o.map_j > 0) {
            if (spec.loss != lenet::LossKind::Map)
                throw lenet::Error(lenet::ErrorKind::Usage, "--map-j", "applies to the MAP loss only (add --loss map)");
            spec.map_j = float(o.map_j);
        }
        lenet::Network with_loss(spec);  // validates that the loss fits the output layer
        with_loss.params() = net.params();
        with_loss.fixed() = net.fixed();
        net = with_loss;
    }

    lenet::TrainConfig cfg;
    cfg.optimizer = lenet::optimizer_from_name(o.optimizer);
    const bool sdlm = cfg.optimizer == lenet::Optimizer::Sdlm;
    cfg.schedule = lenet::schedule_from_name(o.schedule.empty() ? (sdlm ? "paper" : "constant") : o.schedule);
    cfg.lr = float(o.lr > 0 ? o.lr : (sdlm ? 0.0005 : 0.01));
    cfg.batch = o.batch;
    cfg.momentum = float(o.momentum);
    cfg.weight_decay = float(o.weight_decay);
    cfg.shuffle = o.shuffle == "on";
    cfg.distort = o.distort;
    cfg.repeat = o.repeat;
    cfg.sdlm_mu = float(o.mu);
    cfg.seed = o.seed;
    cfg.threads = o.threads;
    lenet::validate(cfg);

    const std::string dir = o.data.empty() ? lenet::default_data_dir(o.dataset) : o.data;
    lenet::Dataset train = lenet::load_dataset_dir(dir, "train", -1, o.dataset);
    lenet::Dataset test = lenet::load_dataset_dir(dir, "test", -1, o.dataset);

    const int epochs = o.steps > 0 ? 0 : (o.epochs > 0 ? o.epochs : 20);
    const long long total_samples = o.steps > 0 ? o.steps * o.batch : (long long)epochs * train.count * cfg.repeat;
    const std::string best = best_path(o.out);

    std::fprintf(hout, "train %s on %s (%d train, %d test) | %s, %s schedule, lr %g, batch %d, momentum %g, "
                       "weight decay %g, loss %s%s, shuffle %s, seed %llu, threads %d | %s%s\n",
                 net.spec().name.c_str(), train.name.c_str(), train.count, test.count,
                 lenet::optimizer_name(cfg.optimizer), lenet::schedule_name(cfg.schedule), double(cfg.lr),
                 cfg.batch, double(cfg.momentum), double(cfg.weight_decay), lenet::loss_name(net.spec().loss),
                 cfg.distort ? ", distortions" : "", cfg.shuffle ? "on" : "off", (unsigned long long)cfg.seed,
                 cfg.threads, o.steps > 0 ? (std::to_string(o.steps) + " steps").c_str()
                                          : (std::to_string(epochs) + " passes").c_str(),
                 cfg.repeat > 1 ? (" of " + std::to_string(cfg.repeat) + " x " + std::to_string(train.count) +
                                   " samples").c_str() : "");
    std::fflush(hout);

    lenet::Trainer trainer(net, train, cfg);
    g_interrupted = 0;
    auto old_handler = std::signal(SIGINT, on_sigint);

    nlohmann::json passes = nlohmann::json::array();
    double best_err = 2.0;
    int best_epoch = -1;
    lenet::EvalResult last_eval;
    bool have_eval = false, interrupted = false;
    long long done_samples = 0;
    const auto t_start = Clock::now();
    auto last_print = t_start;
    long long last_samples = 0;
    double rate = 0;  // samples/s, smoothed
    const int chunk = std::max(1, std::min(256, cfg.batch > 1 ? cfg.batch * ((256 + cfg.batch - 1) / cfg.batch) : 256));
    float pass_loss = 0, pass_err = 0;

    auto evaluate_and_save = [&](int epoch_index, double seconds) {
        lenet::EvalResult r = trainer.evaluate(test);
        last_eval = r;
        have_eval = true;
        const bool improved = r.error_rate() < best_err;
        if (improved) {
            best_err = r.error_rate();
            best_epoch = epoch_index;
            lenet::save_any_weights(net, best);
        }
        lenet::save_any_weights(net, o.out);
        if (tty) std::fprintf(hout, "\r\033[K");
        std::fprintf(hout, "pass %d done: train loss %.4f err %.2f%% | test loss %.4f err %.2f%% (%d/%d)%s | %s\n",
                     epoch_index + 1, double(pass_loss), 100.0 * pass_err, r.loss, 100.0 * r.error_rate(), r.errors,
                     r.count, improved ? " best" : "", fmt_duration(seconds).c_str());
        std::fflush(hout);
        passes.push_back({{"pass", epoch_index + 1}, {"train_loss", pass_loss}, {"train_error", pass_err},
                          {"test_loss", r.loss}, {"test_error", r.error_rate()}, {"test_errors", r.errors},
                          {"eta", trainer.progress().eta}, {"seconds", seconds}});
    };

    lenet::TrainProgress p;
    while (done_samples < total_samples) {
        if (g_interrupted) { interrupted = true; break; }
        const long long left = total_samples - done_samples;
        p = trainer.step(int(std::min<long long>(chunk, left)));
        if (p.diverged) break;
        if (!p.hessian_phase) {
            done_samples += p.done;
            pass_loss = p.loss;
            pass_err = p.error;
        }
        const auto now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - t_start).count();
        const double since = std::chrono::duration<double>(now - last_print).count();
        // Throughput over the last display interval (smoothed): reflects the machine's current load.
        if (since >= (tty ? 0.25 : 30.0) || rate <= 0) {
            const double win = since > 0 ? double(done_samples - last_samples) / since : 0.0;
            if (win > 0) rate = rate > 0 ? 0.5 * rate + 0.5 * win : win;
        }
        const double eta_s = rate > 0 ? double(total_samples - done_samples) / rate : NAN;
        const int pass_total = epochs > 0 ? epochs : int((total_samples + (long long)train.count * cfg.repeat - 1) / ((long long)train.count * cfg.repeat));
        if (tty && since >= 0.25) {
            const int width = 30;
            const int fill = int(double(p.position) / double(p.epoch_size) * width);
            std::string bar(size_t(fill), '#');
            bar.resize(size_t(width), '.');
            std::fprintf(hout, "\r\033[Kpass %d/%d [%s] %5.1f%% %s | %6.0f samples/s | ETA %s | loss %.4f err %.2f%% | eta %g",
                         p.epoch + 1, pass_total, bar.c_str(), 100.0 * p.position / p.epoch_size,
                         p.hessian_phase ? "h_kk" : "", rate, fmt_duration(eta_s).c_str(), double(p.loss),
                         100.0 * p.error, double(p.eta));
            std::fflush(hout);
            last_print = now;
            last_samples = done_samples;
        } else if (!tty && since >= 30.0) {
            std::fprintf(hout, "pass %d/%d %5.1f%% (%d/%d): loss %.4f err %.2f%% | %.0f samples/s | eta %g | elapsed %s, ETA %s\n",
                         p.epoch + 1, pass_total, 100.0 * p.position / p.epoch_size, p.position, p.epoch_size,
                         double(p.loss), 100.0 * p.error, rate, double(p.eta), fmt_duration(elapsed).c_str(),
                         fmt_duration(eta_s).c_str());
            std::fflush(hout);
            last_print = now;
            last_samples = done_samples;
        }
        if (p.epoch_end) evaluate_and_save(p.epoch, elapsed);
    }
    std::signal(SIGINT, old_handler);
    const double seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
    if (tty) std::fprintf(hout, "\r\033[K");

    int status = 0;
    if (p.diverged || trainer.diverged()) {
        std::fprintf(stderr, "lenet5 train: %s\n", trainer.progress().message.c_str());
        lenet::save_any_weights(net, o.out);  // the restored last good weights
        std::fprintf(hout, "saved the last good weights to %s\n", o.out.c_str());
        status = 3;
    } else if (interrupted) {
        lenet::save_any_weights(net, o.out);
        std::fprintf(hout, "interrupted after %lld samples: saved the current weights to %s\n", done_samples,
                     o.out.c_str());
        status = 130;
    } else {
        // Final evaluation unless the last pass just ended with one (--steps may stop mid-pass).
        if (!(have_eval && p.epoch_end)) {
            pass_loss = trainer.progress().loss;
            pass_err = trainer.progress().error;
            last_eval = trainer.evaluate(test);
            have_eval = true;
            lenet::save_any_weights(net, o.out);
        }
        std::fprintf(sout, "done: %lld samples, %lld updates in %s (%.0f samples/s); test error %.2f%% (%d/%d), "
                           "loss %.4f; saved %s",
                     (long long)trainer.progress().samples, (long long)trainer.progress().updates,
                     fmt_duration(seconds).c_str(), trainer.progress().seconds > 0 ? trainer.progress().samples / trainer.progress().seconds : 0.0,
                     100.0 * last_eval.error_rate(), last_eval.errors, last_eval.count, last_eval.loss, o.out.c_str());
        if (best_epoch >= 0) std::fprintf(sout, ", best %s (pass %d, %.2f%%)", best.c_str(), best_epoch + 1, 100.0 * best_err);
        std::fprintf(sout, "\n");
    }
    std::fflush(hout);
    std::fflush(sout);

    if (o.json) {
        const lenet::TrainProgress& q = trainer.progress();
        nlohmann::json j;
        j["arch"] = net.spec().name;
        j["dataset"] = train.name;
        j["optimizer"] = lenet::optimizer_name(cfg.optimizer);
        j["schedule"] = lenet::schedule_name(cfg.schedule);
        j["lr"] = cfg.lr;
        j["batch"] = cfg.batch;
        j["momentum"] = cfg.momentum;
        j["weight_decay"] = cfg.weight_decay;
        j["loss"] = lenet::loss_name(net.spec().loss);
        if (net.spec().loss == lenet::LossKind::Map) j["map_j"] = net.spec().map_j;
        j["distort"] = cfg.distort;
        j["repeat"] = cfg.repeat;
        if (sdlm) j["mu"] = cfg.sdlm_mu;
        j["shuffle"] = cfg.shuffle;
        j["seed"] = cfg.seed;
        j["threads"] = cfg.threads;
        j["samples"] = q.samples;
        j["updates"] = q.updates;
        j["seconds"] = seconds;
        j["samples_per_sec"] = q.seconds > 0 ? q.samples / q.seconds : 0.0;
        j["passes"] = passes;
        j["out"] = o.out;
        j["interrupted"] = interrupted;
        j["diverged"] = q.diverged;
        if (q.diverged) j["message"] = q.message;
        if (have_eval) {
            j["test_error"] = last_eval.error_rate();
            j["test_errors"] = last_eval.errors;
            j["test_count"] = last_eval.count;
            j["test_loss"] = last_eval.loss;
        }
        if (best_epoch >= 0) j["best"] = {{"path", best}, {"pass", best_epoch + 1}, {"test_error", best_err}};
        std::printf("%s\n", j.dump(2).c_str());
        std::fflush(stdout);
    }
    return status;
}

}  // namespace

void register_train(CLI::App& app) {
    auto o = std::make_shared<TrainOptions>();
    CLI::App* c = app.add_subcommand("train", "Train a network (SGD or the paper's SDLM) and save its weights");
    c->add_option("--arch", o->arch, "Architecture: a preset name (lenet5-1998, lenet5, ...) or a JSON spec file");
    c->add_option("--data", o->data, "Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (default: found by --dataset)");
    c->add_option("--dataset", o->dataset, "mnist or fashion (class names; default data folder)")->capture_default_str();
    c->add_option("--epochs", o->epochs, "Passes over the training set (default 20)");
    c->add_option("--steps", o->steps, "Stop after this many parameter updates instead of whole passes");
    c->add_option("--optimizer", o->optimizer, "sgd or sdlm (stochastic diagonal Levenberg-Marquardt)")->capture_default_str();
    c->add_option("--lr", o->lr, "Learning rate eta (default 0.01 for sgd; 0.0005 for sdlm = the paper's first passes)");
    c->add_option("--schedule", o->schedule, "paper, constant or step (default: paper for sdlm, constant for sgd)");
    c->add_option("--batch", o->batch, "Samples per update (1 = per pattern, as the paper)")->capture_default_str();
    c->add_option("--momentum", o->momentum, "Momentum")->capture_default_str();
    c->add_option("--weight-decay", o->weight_decay, "L2 weight decay")->capture_default_str();
    c->add_option("--loss", o->loss, "mse, map or xent (default: the architecture's)");
    c->add_flag("--distort", o->distort, "Random affine distortions of the training images (docs/training.md)");
    c->add_option("--map-j", o->map_j, "MAP loss (eq. 9): the constant j (default: the architecture's map_j, 1)");
    c->add_option("--mu", o->mu, "SDLM: step_k = eta / (mu + h_kk) (the paper's 0.02)")->capture_default_str();
    c->add_option("--repeat", o->repeat, "Presentations of each training image per pass, each distorted anew "
                                         "(the paper's 60,000 + 540,000 distortions: --distort --repeat 10)")
        ->capture_default_str();
    c->add_option("--shuffle", o->shuffle, "on or off (off: data order)")->capture_default_str();
    c->add_option("--seed", o->seed, "Seed for initialisation, shuffling and distortions")->capture_default_str();
    c->add_option("--init", o->init,
                  "Start from these weights (.lenet, .onnx, or .npz; --arch when its tensors fit several presets)");
    add_input_norm_option(c, o->input_norm);
    c->add_option("--threads", o->threads, "Worker threads for minibatches (batch > 1)")->capture_default_str();
    c->add_option("--out", o->out, "Where to save the weights (.lenet native, .npz NumPy); best: <stem>.best<ext>")->required();
    c->add_flag("--json", o->json, "Print a JSON summary on stdout");
    c->callback([o] {
        const int status = run_train(*o);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}
