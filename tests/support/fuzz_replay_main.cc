// Stand-in main() for fuzz targets in builds without libFuzzer: replays every file named on the
// command line (directories are walked) through LLVMFuzzerTestOneInput, so a corpus runs as an
// ordinary test under any compiler. With -DZS_FUZZ=ON, libFuzzer's own main is used instead.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int replay_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz-replay: cannot read %s\n", p.c_str());
    return 1;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (!arg.empty() && arg.native()[0] == '-') continue;  // libFuzzer-style flags are ignored
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) failures += replay_file(f), ++count;
    } else {
      failures += replay_file(arg), ++count;
    }
  }
  std::fprintf(stderr, "fuzz-replay: %zu inputs replayed, %d unreadable\n", count, failures);
  return failures == 0 && count > 0 ? 0 : 1;
}
