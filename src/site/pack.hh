// --pack DIR: writes a deterministic site tarball for a directory tree. Same tree (contents,
// names, mtimes) -> same bytes: entries sorted byte-wise by path, directories included,
// normalized ownership and modes (tar_writer.hh). Regular files and directories only; symlinks
// and special files are skipped without error. Runs from the CLI, never in the server: plain
// blocking read(2)/write(2). Compiling .zeroserve/scripts/*.c is NOT done here: it plugs into
// PackOptions::on_file (the scripting layer provides that hook).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.hh"

namespace zs::site {

// What the per-file hook decides for one regular file.
struct PackDecision {
  enum class Action { kKeep, kSkip, kReplace };
  Action action = Action::kKeep;
  // kReplace: store `contents` under `path` (relative, '/'-separated) instead of the file,
  // e.g. ".zeroserve/scripts/10-auth.c" -> ".zeroserve/scripts/10-auth.o" + object bytes.
  // The file's mtime is kept.
  std::string path;
  std::string contents;
};

// Called once per regular file, in sorted order, before anything is written. `rel_path` is
// relative to the packed directory; `abs_path` opens the file. An error aborts the pack.
using PackFileHook =
    std::function<Result<PackDecision>(std::string_view rel_path, const std::string& abs_path)>;

struct PackOptions {
  PackFileHook on_file;  // empty: keep every file as is
};

// Walks `dir` and writes the tarball to `out_fd` (borrowed; written sequentially, not closed).
// Errors: `dir` is not a directory ("--pack expects a directory"), unreadable entries, a name
// that is not valid UTF-8 (the loader would reject it), two members with the same path after
// the hook, a file that shrank while being read, write failures. On error, partial output may
// already have been written.
Result<void> pack_directory(const std::string& dir, int out_fd, const PackOptions& options = {});

}  // namespace zs::site
