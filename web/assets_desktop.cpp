// web/assets_desktop.cpp — the desktop's run-time data (web/platform.h): every asset file is on
// disk in AppConfig::asset_dir (copied there by the build), so nothing is ever loading.
#include "platform.h"

#include <algorithm>
#include <filesystem>

AssetStatus platform_asset(const AppConfig& config, const std::string& path) {
    std::error_code ec;
    AssetStatus s;
    s.state = std::filesystem::is_regular_file(std::filesystem::path(config.asset_dir) / path, ec) ? AssetState::Ready
                                                                                                  : AssetState::Absent;
    return s;
}

void platform_asset_request(const std::string&) {}
void platform_asset_retry() {}
void platform_asset_reload(const std::string&) {}  // the file on disk is read again

std::vector<AssetFile> platform_asset_files(const AppConfig& config, const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<AssetFile> files;
    std::error_code ec;
    const fs::path root = fs::path(config.asset_dir) / dir;
    if (!fs::is_directory(root, ec)) return files;
    for (const fs::directory_entry& e : fs::directory_iterator(root, ec))
        if (e.is_regular_file(ec)) files.push_back({dir + "/" + e.path().filename().string(), ""});
    std::sort(files.begin(), files.end(), [](const AssetFile& a, const AssetFile& b) { return a.path < b.path; });
    return files;
}
