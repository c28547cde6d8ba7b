// web/app_files.h — the user's own model files (app_files.cpp, panels/files_panel.cpp): load a
// network from a file (.lenet, PyTorch-layout .npz, ONNX) and save the current one in each of those
// formats. The page takes files from a file picker, drag-and-drop and window.lenet.loadModel; it saves
// by download. The desktop loads from and saves to a path. A file that cannot be loaded leaves the
// current network exactly as it was; the message says which file and what is wrong.
//
// Uses ScreenRect (app.h, before this header's include).
//
// A loaded file brings its own architecture (ONNX, .lenet) or is matched to one (.npz: the current
// architecture first, then the engine's rules in load_any_weights). Its network replaces the current
// one and steps, traces, trains and evaluates like a preset.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

struct AppState;

struct ModelFiles {
    bool        show = false;        // the "Model files" window is open
    std::string loaded;              // the user's file whose weights are in use ("" = none)
    std::string format;              // its format: "lenet", "npz", "onnx"
    std::string message;             // the last load or save, shown in the window
    bool        failed = false;      // message is an error
    std::string path;                // desktop: the path field
    long        loads = 0, saves = 0, failures = 0;  // loads and saves that worked, and those that did not
    ScreenRect  open_button, save_buttons[3];  // as drawn last (tests click them): open; lenet, npz, onnx
};

// app_load_model (platform.h) loads a model file's bytes: window.lenet.loadModel.
// The current network's weights as a file of `format` ("lenet", "npz", "onnx"); throws lenet::Error.
std::string model_file_name(const AppState& app, const std::string& format);  // "lenet5-1998.npz"
void        save_model_to(AppState& app, const std::string& format, const std::string& path);
// Web: the browser downloads the file (platform_download). Returns its size.
size_t      download_model(AppState& app, const std::string& format);
// Desktop (and --command): loads the file at `path`; throws lenet::Error, the network unchanged.
void        load_model_path(AppState& app, const std::string& path);
// The input normalisation of the current network ("unit": pixel/255, "paper": -0.1 .. 1.175), rebuilt
// with the same weights; the current input is prepared again.
void        set_input_norm(AppState& app, const std::string& norm);
// window.lenet: the commands load_model {path}, save_model {format, path?}, set_input_norm {norm} and
// show_files {on}; false if cmd is not one of them. state().model_file: {loaded, format, message, failed,
// loads, saves, input_norm}.
bool files_command(AppState& app, const nlohmann::json& cmd, std::string& reply);
void files_state_json(const AppState& app, nlohmann::json& state);
void draw_files_window(AppState& app);  // panels/files_panel.cpp
