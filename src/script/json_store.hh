// JsonStore: the per-execution-context JSON object table behind the zs_json_* helpers
// (zeroserve-behavior.md §4a "Handles", §4b rows 12-35, §5d limits). It owns documents and the
// handles scripts hold into them; it does not touch guest memory (helpers_json.cc does) and is
// not thread-safe (one context runs on one worker thread). Relies on RapidJSON's non-throwing
// API with a freeing allocator, so memory of replaced values is returned at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hh"
#include "script/exec_context.hh"

namespace zs::script {

// The SDK's ZS_JSON_* type codes (zs_json_type).
enum class JsonType : int64_t { kNull = 0, kBool = 1, kNumber = 2, kString = 3, kArray = 4, kObject = 5 };

// Handles are small integers starting at 1; a freed number is reused (lowest first), so a
// context never holds more than ContextLimits::max_handles slots. A handle is either a document
// root (parse, new_*, clone, copy_from) or a cursor (get, array_get): a path from its root,
// re-resolved on every use, so mutating through a cursor mutates the document and a cursor
// whose path has disappeared fails with "json reference is no longer valid". Documents live as
// long as any handle points into them. Values stored with set / array_push / array_set are
// copies.
//
// Error conventions, shared by every method below: an Error is a HARD failure (the helper traps:
// unknown or freed handle, dead cursor, handle or memory limit, nesting deeper than kMaxDepth);
// methods returning int64_t give -1 for the SOFT failures the SDK documents (wrong node type,
// missing key, index out of range, invalid JSON text), which the helper returns to the script.
class JsonStore {
 public:
  // Deeper nesting is rejected: parsing treats it as invalid JSON (as serde_json's limit of 128
  // does in the reference), building it through set/push traps. It bounds the recursion of
  // copying, serializing and freeing, which run on the script's native stack.
  static constexpr uint32_t kMaxDepth = 128;

  // `limits` is copied: max live handles and the memory budget charged to documents.
  explicit JsonStore(const ContextLimits& limits);
  ~JsonStore();
  JsonStore(const JsonStore&) = delete;
  JsonStore& operator=(const JsonStore&) = delete;

  // ---- Host API (server, zs_call, tests) ----

  // A new document handle for `text`. Error: invalid JSON (message says where), or a limit.
  Result<uint64_t> parse(std::string_view text);
  // A deep copy of `other`'s value at `handle` as a new document here (zs_call input/output).
  // Error: `handle` invalid in `other`, or a limit here. `other` may be this store.
  Result<uint64_t> copy_from(const JsonStore& other, uint64_t handle);
  // Compact JSON text of the value at `handle`. Error: invalid handle or dead cursor.
  Result<std::string> serialize(uint64_t handle) const;
  // True if `handle` is live and, for a cursor, its path still resolves.
  bool valid(uint64_t handle) const;

  uint32_t live_handles() const { return live_; }
  uint64_t memory_used() const { return used_bytes_; }  // the estimate charged (§5d)

  // ---- The SDK operations (helpers_json.cc maps each helper onto one of these) ----

  // Like parse, but invalid JSON is the soft -1 (zs_json_parse); limits stay hard errors.
  Result<int64_t> try_parse(std::string_view text);
  Result<uint64_t> new_object();
  Result<uint64_t> new_array();
  Result<uint64_t> clone(uint64_t handle);  // an independent document
  Result<void> reset(uint64_t handle);      // re-point at the document root
  Result<void> release(uint64_t handle);    // zs_object_free; the number becomes free
  // A cursor to a member / element; -1 if absent or the node has another type.
  Result<int64_t> get(uint64_t handle, std::string_view key);
  Result<int64_t> array_get(uint64_t handle, uint64_t index);

  Result<JsonType> type(uint64_t handle) const;
  // Members of an object, elements of an array, bytes of a string; -1 otherwise.
  Result<int64_t> len(uint64_t handle) const;
  // Readers: nullopt when the node has another type (or, for i64, a number that is not an
  // integer representable as int64). The string view lives until the next mutation.
  Result<std::optional<std::string_view>> read_string(uint64_t handle) const;
  Result<std::optional<int64_t>> read_i64(uint64_t handle) const;
  Result<std::optional<bool>> read_bool(uint64_t handle) const;

  // Mutations. `value` handles are deep-copied first, so a value may be the target itself or
  // an ancestor of it. Return 0 (array_push: the new length) or -1 for the wrong node type,
  // an absent key (remove) or an index out of range (array_set).
  Result<int64_t> set(uint64_t object, std::string_view key, uint64_t value);
  Result<int64_t> remove(uint64_t object, std::string_view key);
  Result<int64_t> array_push(uint64_t array, uint64_t value);
  Result<int64_t> array_set(uint64_t array, uint64_t index, uint64_t value);
  // Replace the node at `handle` whatever its type (the caller checked UTF-8 for strings).
  Result<void> set_string(uint64_t handle, std::string_view value);
  Result<void> set_i64(uint64_t handle, int64_t value);
  Result<void> set_bool(uint64_t handle, bool value);
  Result<void> set_null(uint64_t handle);

 private:
  struct Root;
  struct Step;
  struct Slot;
  struct Node;  // a resolved handle; RapidJSON types stay inside json_store.cc

  Result<uint64_t> add_root(std::shared_ptr<Root> root);
  Result<uint64_t> add_slot(Slot slot);
  Result<Node> resolve(uint64_t handle) const;
  Result<void> charge(int64_t delta);
  Result<int64_t> store_copy(uint64_t target, uint64_t value, std::optional<std::string_view> key,
                             std::optional<uint64_t> index);
  Result<void> replace_scalar(uint64_t handle, int kind, std::string_view s, int64_t i);

  ContextLimits limits_;
  std::vector<Slot> slots_;  // slots_[h - 1] is handle h
  uint32_t live_ = 0;
  uint64_t used_bytes_ = 0;
};

}  // namespace zs::script
