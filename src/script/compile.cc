// Implementation of compile.hh.
#include "script/compile.hh"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/file.hh"

extern char** environ;

namespace zs::script {

extern const char kSdkText[];
extern const unsigned long kSdkSize;

std::string_view sdk_header() { return {kSdkText, kSdkSize}; }

namespace {

// A private temporary directory removed with everything in it when the scope ends.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string templ = std::string(base != nullptr && *base != 0 ? base : "/tmp") + "/zeroserve-cc.XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back(0);
    if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    for (const char* f : {"/zeroserve.h", "/out.o", "/diagnostics.txt"}) unlink((path_ + f).c_str());
    if (!path_.empty()) rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<std::string> compile_c_script(const std::string& source_path, std::string_view display_name) {
  TempDir dir;
  if (dir.path().empty()) return Error(std::string("cannot create a temporary directory: ") + strerror(errno));
  if (auto r = write_file(dir.path() + "/zeroserve.h", sdk_header()); !r) return r.error();
  const char* cc = getenv("ZEROSERVE_CLANG");
  std::string compiler = cc != nullptr && *cc != 0 ? cc : "clang";
  std::string include = "-I" + dir.path();
  std::string object = dir.path() + "/out.o";
  std::string diagnostics = dir.path() + "/diagnostics.txt";
  std::vector<std::string> args = {compiler, "-O2", "-target", "bpf", "-mcpu=v3", "-g0", "-Wall",
                                   "-fno-color-diagnostics", include, "-c", source_path, "-o", object};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, diagnostics.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, compiler.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return Error("cannot run " + compiler + " (" + strerror(rc) + "); C scripts need clang (apt-get install clang)");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  auto diag = read_file(diagnostics);
  std::string text = diag ? *diag : std::string();
  // clang names the file by the path it was given; show the name the user knows.
  for (size_t at = 0; (at = text.find(source_path, at)) != std::string::npos; at += display_name.size())
    text.replace(at, source_path.size(), display_name);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return Error("compile failed:\n" + text);
  }
  return read_file(object);
}

}  // namespace zs::script
