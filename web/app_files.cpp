// web/app_files.cpp — the user's own model files (app_files.h): loading a .lenet, an .npz or an ONNX
// model into the app, saving the current network in each format, the input normalisation setting,
// and their commands. Files go through the engine's load_any_weights / save_any_weights, so the page,
// the desktop and the CLI read and write exactly the same bytes.
#include "app.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

namespace {

namespace fs = std::filesystem;

// A file name the user gave, as a safe name in a scratch folder: its last path component, printable
// ASCII only, at most 100 characters.
std::string safe_name(const std::string& filename) {
    std::string base = filename.substr(filename.find_last_of("/\\") == std::string::npos ? 0
                                                                                        : filename.find_last_of("/\\") + 1);
    std::string out;
    for (char c : base)
        if (c > 0x20 && c < 0x7f && c != '"' && c != '\\') out += c;
    if (out.empty() || out == "." || out == "..") out = "model";
    return out.substr(0, 100);
}

fs::path scratch_dir(bool create = true) {
    fs::path d = fs::temp_directory_path() / "lenet5-explorer-files";
    if (create) fs::create_directories(d);
    return d;
}

// The engine names the file by its path; the user knows it by its name.
std::string without_dir(std::string message, const fs::path& dir) {
    const std::string prefix = dir.string() + "/";
    for (size_t at; (at = message.find(prefix)) != std::string::npos;) message.erase(at, prefix.size());
    return message;
}

std::string format_of(const std::string& path) {
    unsigned char head[4] = {0, 0, 0, 0};
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
        (void)std::fread(head, 1, sizeof head, f);
        std::fclose(f);
    }
    if (head[0] == 'P' && head[1] == 'K') return "npz";
    if (lenet::looks_like_onnx(head, sizeof head)) return "onnx";
    return "lenet";
}

// FNV-1a over the weights and fixed values: equal checksums, equal networks (tests compare a file
// saved and loaded again).
std::string checksum(const lenet::Network& net) {
    uint64_t h = 1469598103934665603ull;
    auto add = [&](const std::vector<float>& v) {
        const auto* p = reinterpret_cast<const unsigned char*>(v.data());
        for (size_t i = 0; i < v.size() * sizeof(float); ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    add(net.params());
    add(net.fixed());
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// An .npz holds no architecture unless it is ours (the zip comment names it): the engine matches its
// tensors to a preset; when none or several fit, the current architecture is tried.
lenet::Network read_model(const AppState& app, const std::string& path, const std::string& format) {
    if (format != "npz") return lenet::load_any_weights(path);
    try {
        return lenet::load_any_weights(path);
    } catch (const lenet::Error& first) {
        try {
            return lenet::load_any_weights(path, app.arch);
        } catch (const lenet::Error& second) {
            throw lenet::Error(first.kind(), path,
                               first.message() + "; nor does it fit the current network (" + second.message() + ")");
        }
    }
}

// The loaded network in place of the current one, with its own weights; the name of a preset when
// its architecture is that preset's exactly.
void use_network(AppState& app, const lenet::Network& loaded, const std::string& name, const std::string& format) {
    lenet::ArchSpec spec = loaded.spec();
    std::string label = name;
    const std::vector<std::string> presets = lenet::arch_preset_names();
    if (std::find(presets.begin(), presets.end(), spec.name) != presets.end() &&
        lenet::arch_to_json(lenet::arch_preset(spec.name)) == lenet::arch_to_json(spec)) {
        label = spec.name;
    } else {  // not a preset: the architecture is known by the file's name ("torch-relu")
        std::string stem;
        for (char c : fs::path(name).stem().string())
            stem += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
        if (!stem.empty()) spec.name = stem;
    }
    install_network(app, spec, label);  // throws with nothing changed
    app.net->params() = loaded.params();
    app.net->fixed()  = loaded.fixed();
    app.weights.clear();
    app.pending_weights.clear();
    app.files.loaded = name;
    app.files.format = format;
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    app.scan_next = app.sample;
    recompute_all(app);
    app.files.loads++;
    platform_announce("Loaded " + name + ": " + spec.name + ", " + fmt_int(app.net->totals().params) + " parameters");
}

nlohmann::json loaded_reply(const AppState& app) {
    return {{"ok", true},          {"arch", app.net->spec().name}, {"preset", app.arch},
            {"format", app.files.format}, {"file", app.files.loaded},   {"params", app.net->totals().params},
            {"checksum", checksum(*app.net)}, {"input_norm", lenet::input_norm_name(app.net->spec().norm)}};
}

void load_from(AppState& app, const std::string& path, const std::string& name) {
    const std::string format = format_of(path);
    use_network(app, read_model(app, path, format), name, format);
    app.files.message = "Loaded " + name + " (" + format + "): " + app.net->spec().name;
    app.files.failed  = false;
}

void note_failure(AppState& app, const std::string& what) {
    app.files.message = what;
    app.files.failed  = true;
    app.files.failures++;
    app.notices.push_back(what);
}

}  // namespace

std::string app_load_model(AppState& app, const uint8_t* bytes, size_t size, const std::string& filename) {
    const std::string name = safe_name(filename);
    try {
        if (size > lenet::kMaxWeightsBytes)
            throw lenet::Error(lenet::ErrorKind::Format, name, "is larger than any LeNet model (" + fmt_int((long long)size) +
                                                                   " bytes)");
        const fs::path dir = scratch_dir();
        const fs::path path = dir / name;
        struct Remove { fs::path p; ~Remove() { std::error_code ec; fs::remove(p, ec); } } remove{path};
        std::FILE* f = std::fopen(path.string().c_str(), "wb");
        if (!f || (size && std::fwrite(bytes, 1, size, f) != size) || std::fclose(f) != 0)
            throw lenet::Error(lenet::ErrorKind::Io, name, "could not be stored for reading");
        load_from(app, path.string(), name);
        return loaded_reply(app).dump();
    } catch (const std::exception& e) {
        std::string what = without_dir(e.what(), scratch_dir(false));
        if (what.rfind(name, 0) != 0) what = name + ": " + what;
        note_failure(app, "Not loaded, the network is unchanged: " + what);
        return nlohmann::json({{"ok", false}, {"error", what}}).dump();
    }
}

void load_model_path(AppState& app, const std::string& path) {
    try {
        load_from(app, path, fs::path(path).filename().string());
    } catch (const lenet::Error& e) {
        note_failure(app, std::string("Not loaded, the network is unchanged: ") + e.what());
        throw;
    }
}

std::string model_file_name(const AppState& app, const std::string& format) {
    if (format != "lenet" && format != "npz" && format != "onnx")
        throw lenet::Error(lenet::ErrorKind::Usage, "format", "unknown model format '" + format + "' (lenet, npz or onnx)");
    std::string stem = app.files.loaded.empty() ? app.net->spec().name : fs::path(app.files.loaded).stem().string();
    if (weights_status(app) == WeightsStatus::TrainedHere) stem += "-trained";
    return stem + "." + format;
}

void save_model_to(AppState& app, const std::string& format, const std::string& path) {
    (void)model_file_name(app, format);  // checks the format
    std::string p = path;
    if (fs::path(p).extension() != "." + format) p += "." + format;  // save_any_weights picks by extension
    lenet::save_any_weights(*app.net, p);
    app.files.message = "Saved " + p;
    app.files.failed  = false;
    app.files.saves++;
}

size_t download_model(AppState& app, const std::string& format) {
    const std::string name = model_file_name(app, format);
    const fs::path path = scratch_dir() / name;
    lenet::save_any_weights(*app.net, path.string());
    std::vector<uint8_t> bytes(size_t(fs::file_size(path)));
    std::FILE* f = std::fopen(path.string().c_str(), "rb");
    const bool ok = f && std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (f) std::fclose(f);
    std::error_code ec;
    fs::remove(path, ec);
    if (!ok) throw lenet::Error(lenet::ErrorKind::Io, name, "could not be read back for the download");
    platform_download(name, bytes);
    app.files.message = "Downloaded " + name + " (" + fmt_int((long long)bytes.size()) + " bytes)";
    app.files.failed  = false;
    app.files.saves++;
    return bytes.size();
}

void set_input_norm(AppState& app, const std::string& norm) {
    lenet::ArchSpec spec = app.net->spec();
    if (norm == "unit") spec.norm = lenet::InputNorm::Unit;
    else if (norm == "paper") spec.norm = lenet::InputNorm::Paper;
    else throw lenet::Error(lenet::ErrorKind::Usage, "input_norm", "unknown input normalisation '" + norm + "' (unit or paper)");
    if (spec.norm == app.net->spec().norm) return;
    const lenet::Network old = *app.net;
    const std::string loaded = app.files.loaded, format = app.files.format, weights = app.weights;
    install_network(app, spec, app.arch);
    app.net->params() = old.params();
    app.net->fixed()  = old.fixed();
    app.weights = weights;
    app.files.loaded = loaded;
    app.files.format = format;
    app.test_pred.assign(size_t(app.test.count), int8_t(-1));
    recompute_all(app);
}

bool files_command(AppState& app, const nlohmann::json& cmd, std::string& reply) {
    using nlohmann::json;
    const std::string name = cmd["cmd"].get<std::string>();
    auto text = [&](const char* key) {
        return cmd.contains(key) && cmd[key].is_string() ? cmd[key].get<std::string>() : std::string();
    };
    auto fail = [&](const std::string& e) { reply = json({{"ok", false}, {"error", e}}).dump(); return true; };
    if (name == "load_model") {  // {path}: a file the app can read (desktop, tests)
        const std::string path = text("path");
        if (path.empty()) return fail("load_model needs \"path\" (the page loads bytes with lenet.loadModel)");
        try {
            load_model_path(app, path);
        } catch (const lenet::Error& e) {
            return fail(e.what());
        }
        reply = loaded_reply(app).dump();
        return true;
    }
    if (name == "save_model") {  // {format, path?}: to a path, or in the page as a download
        const std::string format = text("format").empty() ? "lenet" : text("format");
        const std::string path = text("path");
        size_t bytes = 0;
        std::string file;
        if (!path.empty()) {
            save_model_to(app, format, path);
            file = path;
        } else if (app.config.platform == "web") {
            bytes = download_model(app, format);
            file = model_file_name(app, format);
        } else {
            return fail("save_model needs \"path\" on the desktop");
        }
        reply = json({{"ok", true}, {"file", file}, {"bytes", bytes}, {"checksum", checksum(*app.net)}}).dump();
        return true;
    }
    if (name == "set_input_norm") {
        set_input_norm(app, text("norm"));
        reply = loaded_reply(app).dump();
        return true;
    }
    if (name == "model_file_error") {  // the page could not read the file the user gave (web/shell.js)
        note_failure(app, "Not loaded, the network is unchanged: " + safe_name(text("file")) + ": " + text("error"));
        reply = json({{"ok", true}}).dump();
        return true;
    }
    if (name == "show_files") {
        if (cmd.contains("on") && !cmd["on"].is_boolean()) return fail("show_files: \"on\" is true or false");
        app.files.show = cmd.value("on", true);
        reply = json({{"ok", true}, {"show", app.files.show}}).dump();
        return true;
    }
    return false;
}

void files_state_json(const AppState& app, nlohmann::json& j) {
    auto rect = [](const ScreenRect& r) {
        return nlohmann::json{{"x", r.min.x}, {"y", r.min.y}, {"w", r.max.x - r.min.x}, {"h", r.max.y - r.min.y}};
    };
    const ModelFiles& f = app.files;
    j["model_file"] = {{"loaded", app.files.loaded}, {"format", app.files.format}, {"message", app.files.message},
                       {"failed", app.files.failed}, {"loads", f.loads}, {"saves", f.saves}, {"failures", f.failures},
                       {"show", app.files.show}, {"input_norm", lenet::input_norm_name(app.net->spec().norm)},
                       {"buttons", {{"open", rect(f.open_button)}, {"lenet", rect(f.save_buttons[0])},
                                    {"npz", rect(f.save_buttons[1])}, {"onnx", rect(f.save_buttons[2])}}}};
}
