// Implementation of json_store.hh. Documents use RapidJSON with CrtAllocator (not the default
// pool allocator, which frees nothing until the document dies: a script overwriting one node in
// a loop would grow without bound while its charged estimate stayed flat). Only the
// non-throwing API is used; every accessor is guarded by a type check, so RapidJSON's asserts
// cannot fire.
#include "script/json_store.hh"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

namespace zs::script {
namespace {

using Val = rapidjson::GenericValue<rapidjson::UTF8<>, rapidjson::CrtAllocator>;
using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::CrtAllocator>;

// Strings must be valid UTF-8 (the reference holds them in Rust strings); iterative parsing
// keeps the parser off the native stack whatever the input.
constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;

// The memory estimate of §5d: what a value costs the host, roughly (RapidJSON's node size plus
// string bytes; container slack is not counted). Charged when a value enters the store.
constexpr int64_t kNodeBytes = sizeof(Val);
constexpr int64_t kRootBytes = sizeof(Doc) + 64;

// Recursion depth is bounded by JsonStore::kMaxDepth (an invariant of every stored document).
int64_t estimate(const Val& v) {
  int64_t n = kNodeBytes;
  if (v.IsString()) {
    n += v.GetStringLength() + 1;
  } else if (v.IsArray()) {
    for (const Val& e : v.GetArray()) n += estimate(e);
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject()) n += estimate(m.name) + estimate(m.value);
  }
  return n;
}

// Container levels: 0 for a scalar, 1 for [] or {}, 2 for [[1]], ...
uint32_t nesting(const Val& v) {
  uint32_t deepest = 0;
  if (v.IsArray()) {
    for (const Val& e : v.GetArray()) deepest = std::max(deepest, nesting(e));
    return deepest + 1;
  }
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) deepest = std::max(deepest, nesting(m.value));
    return deepest + 1;
  }
  return 0;
}

// Container nesting of JSON text, found by a scan before parsing so that nothing deeper than
// kMaxDepth is ever built. Brackets inside strings do not count.
uint32_t text_nesting(std::string_view text) {
  uint32_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// A lookup key that borrows `key` (no allocation, never freed).
Val borrowed_key(std::string_view key) {
  return Val(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
}

Error limit_error(const char* what, uint64_t limit) {
  return Error(std::string("external ") + what + " limit exceeded (" + std::to_string(limit) + ")");
}

}  // namespace

struct JsonStore::Root {
  Doc doc;
  int64_t charged = 0;  // this document's share of used_bytes_
};

// One step of a cursor's path: a member name or an array index.
struct JsonStore::Step {
  std::string key;
  uint64_t index = 0;
  bool is_key = false;
};

struct JsonStore::Slot {
  std::shared_ptr<Root> root;  // null: the handle number is free
  std::vector<Step> path;      // empty: the handle is the document root
};

struct JsonStore::Node {
  Root* root = nullptr;
  Val* value = nullptr;
  uint32_t depth = 0;  // containers above this node
};

JsonStore::JsonStore(const ContextLimits& limits) : limits_(limits) {}
JsonStore::~JsonStore() = default;

// ---- Handles and charging ------------------------------------------------------------------

Result<uint64_t> JsonStore::add_slot(Slot slot) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].root) {
      slots_[i] = std::move(slot);
      ++live_;
      return i + 1;
    }
  }
  if (slots_.size() >= limits_.max_handles) return limit_error("object", limits_.max_handles);
  slots_.push_back(std::move(slot));
  ++live_;
  return slots_.size();
}

// Charges `root` (its charged field already set) and gives it a handle, or drops it whole.
Result<uint64_t> JsonStore::add_root(std::shared_ptr<Root> root) {
  if (live_ >= limits_.max_handles) return limit_error("object", limits_.max_handles);
  if (auto r = charge(root->charged); !r) return r.error();
  auto h = add_slot(Slot{root, {}});
  if (!h) used_bytes_ -= root->charged;
  return h;
}

Result<void> JsonStore::charge(int64_t delta) {
  if (delta > 0 && used_bytes_ + static_cast<uint64_t>(delta) > limits_.max_memory_bytes)
    return limit_error("memory footprint", limits_.max_memory_bytes);
  used_bytes_ = static_cast<uint64_t>(static_cast<int64_t>(used_bytes_) + delta);
  return {};
}

Result<JsonStore::Node> JsonStore::resolve(uint64_t handle) const {
  if (handle == 0 || handle > slots_.size() || !slots_[handle - 1].root)
    return Error("invalid json handle " + std::to_string(handle));
  const Slot& slot = slots_[handle - 1];
  Node node{slot.root.get(), &slot.root->doc, 0};
  for (const Step& step : slot.path) {
    Val& cur = *node.value;
    if (step.is_key) {
      if (!cur.IsObject()) return Error("json reference is no longer valid");
      auto it = cur.FindMember(borrowed_key(step.key));
      if (it == cur.MemberEnd()) return Error("json reference is no longer valid");
      node.value = &it->value;
    } else {
      if (!cur.IsArray() || step.index >= cur.Size()) return Error("json reference is no longer valid");
      node.value = &cur[static_cast<rapidjson::SizeType>(step.index)];
    }
    ++node.depth;
  }
  return node;
}

bool JsonStore::valid(uint64_t handle) const { return resolve(handle).ok(); }

Result<void> JsonStore::release(uint64_t handle) {
  if (handle == 0 || handle > slots_.size() || !slots_[handle - 1].root)
    return Error("invalid json handle " + std::to_string(handle));
  Slot& slot = slots_[handle - 1];
  if (slot.root.use_count() == 1) used_bytes_ -= static_cast<uint64_t>(slot.root->charged);
  slot = Slot{};
  --live_;
  return {};
}

Result<void> JsonStore::reset(uint64_t handle) {
  if (handle == 0 || handle > slots_.size() || !slots_[handle - 1].root)
    return Error("invalid json handle " + std::to_string(handle));
  slots_[handle - 1].path.clear();
  return {};
}

// ---- Creating documents --------------------------------------------------------------------

Result<int64_t> JsonStore::try_parse(std::string_view text) {
  if (text_nesting(text) > kMaxDepth) return -1;
  if (live_ >= limits_.max_handles) return limit_error("object", limits_.max_handles);
  auto root = std::make_shared<Root>();
  root->doc.Parse<kParseFlags>(text.data(), text.size());
  if (root->doc.HasParseError()) return -1;
  root->charged = kRootBytes + estimate(root->doc);
  auto h = add_root(std::move(root));
  if (!h) return h.error();
  return static_cast<int64_t>(*h);
}

Result<uint64_t> JsonStore::parse(std::string_view text) {
  if (text_nesting(text) > kMaxDepth)
    return Error("invalid JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
  if (live_ >= limits_.max_handles) return limit_error("object", limits_.max_handles);
  auto root = std::make_shared<Root>();
  root->doc.Parse<kParseFlags>(text.data(), text.size());
  if (root->doc.HasParseError()) {
    return Error(std::string("invalid JSON at byte ") + std::to_string(root->doc.GetErrorOffset()) + ": " +
                 rapidjson::GetParseError_En(root->doc.GetParseError()));
  }
  root->charged = kRootBytes + estimate(root->doc);
  return add_root(std::move(root));
}

Result<uint64_t> JsonStore::new_object() {
  auto root = std::make_shared<Root>();
  root->doc.SetObject();
  root->charged = kRootBytes + kNodeBytes;
  return add_root(std::move(root));
}

Result<uint64_t> JsonStore::new_array() {
  auto root = std::make_shared<Root>();
  root->doc.SetArray();
  root->charged = kRootBytes + kNodeBytes;
  return add_root(std::move(root));
}

Result<uint64_t> JsonStore::copy_from(const JsonStore& other, uint64_t handle) {
  auto src = other.resolve(handle);
  if (!src) return src.error();
  if (live_ >= limits_.max_handles) return limit_error("object", limits_.max_handles);
  const int64_t cost = kRootBytes + estimate(*src->value);
  if (used_bytes_ + static_cast<uint64_t>(cost) > limits_.max_memory_bytes)
    return limit_error("memory footprint", limits_.max_memory_bytes);
  auto root = std::make_shared<Root>();
  root->doc.CopyFrom(*src->value, root->doc.GetAllocator());
  root->charged = cost;
  return add_root(std::move(root));
}

Result<uint64_t> JsonStore::clone(uint64_t handle) { return copy_from(*this, handle); }

Result<std::string> JsonStore::serialize(uint64_t handle) const {
  auto node = resolve(handle);
  if (!node) return node.error();
  rapidjson::GenericStringBuffer<rapidjson::UTF8<>, rapidjson::CrtAllocator> buf;
  rapidjson::Writer<decltype(buf), rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator> writer(buf);
  // Only NaN/Infinity make the writer fail, and neither can enter the store.
  if (!node->value->Accept(writer)) return Error("json value cannot be serialized");
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- Navigation and reading ----------------------------------------------------------------

Result<int64_t> JsonStore::get(uint64_t handle, std::string_view key) {
  auto node = resolve(handle);
  if (!node) return node.error();
  if (!node->value->IsObject() || !node->value->HasMember(borrowed_key(key))) return -1;
  Slot child{slots_[handle - 1].root, slots_[handle - 1].path};
  child.path.push_back(Step{std::string(key), 0, true});
  auto h = add_slot(std::move(child));
  if (!h) return h.error();
  return static_cast<int64_t>(*h);
}

Result<int64_t> JsonStore::array_get(uint64_t handle, uint64_t index) {
  auto node = resolve(handle);
  if (!node) return node.error();
  if (!node->value->IsArray() || index >= node->value->Size()) return -1;
  Slot child{slots_[handle - 1].root, slots_[handle - 1].path};
  child.path.push_back(Step{{}, index, false});
  auto h = add_slot(std::move(child));
  if (!h) return h.error();
  return static_cast<int64_t>(*h);
}

Result<JsonType> JsonStore::type(uint64_t handle) const {
  auto node = resolve(handle);
  if (!node) return node.error();
  switch (node->value->GetType()) {
    case rapidjson::kNullType: return JsonType::kNull;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return JsonType::kBool;
    case rapidjson::kNumberType: return JsonType::kNumber;
    case rapidjson::kStringType: return JsonType::kString;
    case rapidjson::kArrayType: return JsonType::kArray;
    case rapidjson::kObjectType: return JsonType::kObject;
  }
  return JsonType::kNull;
}

Result<int64_t> JsonStore::len(uint64_t handle) const {
  auto node = resolve(handle);
  if (!node) return node.error();
  const Val& v = *node->value;
  if (v.IsArray()) return static_cast<int64_t>(v.Size());
  if (v.IsObject()) return static_cast<int64_t>(v.MemberCount());
  if (v.IsString()) return static_cast<int64_t>(v.GetStringLength());
  return -1;
}

Result<std::optional<std::string_view>> JsonStore::read_string(uint64_t handle) const {
  auto node = resolve(handle);
  if (!node) return node.error();
  if (!node->value->IsString()) return std::optional<std::string_view>();
  return std::optional<std::string_view>(std::string_view(node->value->GetString(), node->value->GetStringLength()));
}

Result<std::optional<int64_t>> JsonStore::read_i64(uint64_t handle) const {
  auto node = resolve(handle);
  if (!node) return node.error();
  // IsInt64 is false for numbers written with a fraction or exponent (doubles), as in serde.
  if (!node->value->IsInt64()) return std::optional<int64_t>();
  return std::optional<int64_t>(node->value->GetInt64());
}

Result<std::optional<bool>> JsonStore::read_bool(uint64_t handle) const {
  auto node = resolve(handle);
  if (!node) return node.error();
  if (!node->value->IsBool()) return std::optional<bool>();
  return std::optional<bool>(node->value->GetBool());
}

// ---- Mutation ------------------------------------------------------------------------------

// set (key), array_set (index) or array_push (neither): copies `value` into `target`.
Result<int64_t> JsonStore::store_copy(uint64_t target, uint64_t value, std::optional<std::string_view> key,
                                      std::optional<uint64_t> index) {
  auto dst = resolve(target);
  if (!dst) return dst.error();
  auto src = resolve(value);
  if (!src) return src.error();
  Val& container = *dst->value;
  Val* replaced = nullptr;
  if (key) {
    if (!container.IsObject()) return -1;
    auto it = container.FindMember(borrowed_key(*key));
    if (it != container.MemberEnd()) replaced = &it->value;
  } else if (index) {
    if (!container.IsArray() || *index >= container.Size()) return -1;
    replaced = &container[static_cast<rapidjson::SizeType>(*index)];
  } else if (!container.IsArray()) {
    return -1;
  }
  if (dst->depth + 1 + nesting(*src->value) > kMaxDepth)
    return Error("json value nested deeper than " + std::to_string(kMaxDepth) + " levels");
  int64_t delta = estimate(*src->value) - (replaced ? estimate(*replaced) : 0);
  if (key && !replaced) delta += kNodeBytes + static_cast<int64_t>(key->size()) + 1;
  if (auto r = charge(delta); !r) return r.error();
  dst->root->charged += delta;

  // Copy before linking it in: `value` may be `target` or one of its ancestors.
  auto& alloc = dst->root->doc.GetAllocator();
  Val copy(*src->value, alloc);
  if (replaced) {
    *replaced = copy;  // RapidJSON assignment moves and frees the old value
    return 0;
  }
  if (key) {
    container.AddMember(Val(key->data(), static_cast<rapidjson::SizeType>(key->size()), alloc), copy, alloc);
    return 0;
  }
  container.PushBack(copy, alloc);
  return static_cast<int64_t>(container.Size());
}

Result<int64_t> JsonStore::set(uint64_t object, std::string_view key, uint64_t value) {
  return store_copy(object, value, key, std::nullopt);
}

Result<int64_t> JsonStore::array_push(uint64_t array, uint64_t value) {
  return store_copy(array, value, std::nullopt, std::nullopt);
}

Result<int64_t> JsonStore::array_set(uint64_t array, uint64_t index, uint64_t value) {
  return store_copy(array, value, std::nullopt, index);
}

Result<int64_t> JsonStore::remove(uint64_t object, std::string_view key) {
  auto node = resolve(object);
  if (!node) return node.error();
  Val& v = *node->value;
  if (!v.IsObject()) return -1;
  auto it = v.FindMember(borrowed_key(key));
  if (it == v.MemberEnd()) return -1;
  const int64_t freed = estimate(it->name) + estimate(it->value);
  // EraseMember keeps the order of the remaining members (RemoveMember would not).
  v.EraseMember(it);
  node->root->charged -= freed;
  used_bytes_ -= static_cast<uint64_t>(freed);
  return 0;
}

namespace {
enum ScalarKind { kString, kI64, kBool, kNull };
}  // namespace

Result<void> JsonStore::replace_scalar(uint64_t handle, int kind, std::string_view s, int64_t i) {
  auto node = resolve(handle);
  if (!node) return node.error();
  Val& v = *node->value;
  const int64_t delta =
      kNodeBytes + (kind == kString ? static_cast<int64_t>(s.size()) + 1 : 0) - estimate(v);
  if (auto r = charge(delta); !r) return r.error();
  node->root->charged += delta;
  switch (kind) {
    case kString:
      v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), node->root->doc.GetAllocator());
      break;
    case kI64: v.SetInt64(i); break;
    case kBool: v.SetBool(i != 0); break;
    default: v.SetNull(); break;
  }
  return {};
}

Result<void> JsonStore::set_string(uint64_t handle, std::string_view value) {
  return replace_scalar(handle, kString, value, 0);
}
Result<void> JsonStore::set_i64(uint64_t handle, int64_t value) { return replace_scalar(handle, kI64, {}, value); }
Result<void> JsonStore::set_bool(uint64_t handle, bool value) { return replace_scalar(handle, kBool, {}, value); }
Result<void> JsonStore::set_null(uint64_t handle) { return replace_scalar(handle, kNull, {}, 0); }

}  // namespace zs::script
