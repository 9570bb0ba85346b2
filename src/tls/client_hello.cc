// ClientHello parsing: a bounds-checked byte reader, the record layer reassembly, then the hello
// body field by field in wire order (RFC 8446 §4.1.2) and the four extensions JA4 reads inside.
// Offsets in error messages count from the start of the handshake message (type byte = 0).
#include "tls/client_hello.hh"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace zs::tls {
namespace {

constexpr uint8_t kHandshakeClientHello = 1;
constexpr uint8_t kRecordHandshake = 22;
constexpr size_t kRecordHeaderBytes = 5;
constexpr size_t kMaxRecordFragment = 16384;  // 2^14, RFC 8446 §5.1
constexpr size_t kHandshakeHeaderBytes = 4;

Error fail(std::string_view field, const char* what, size_t offset) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.*s: %s at offset %zu", static_cast<int>(field.size()),
                field.data(), what, offset);
  return Error(buf);
}

// Reads big-endian integers and length-prefixed vectors from a span, never past its end.
// `base` is the offset of data[0] within the handshake message, for error messages.
class Reader {
 public:
  Reader(std::span<const uint8_t> data, size_t base) : data_(data), base_(base) {}

  size_t offset() const { return base_ + pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }

  bool u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  bool u16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u24(uint32_t& out) {
    if (remaining() < 3) return false;
    out = uint32_t{data_[pos_]} << 16 | uint32_t{data_[pos_ + 1]} << 8 | data_[pos_ + 2];
    pos_ += 3;
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  // Splits off the next `n` bytes as a sub-reader.
  bool sub(size_t n, Reader& out) {
    if (remaining() < n) return false;
    out = Reader(data_.subspan(pos_, n), offset());
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

 private:
  std::span<const uint8_t> data_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

// Reads a vector with a `prefix_bytes` (1 or 2) length prefix whose length must lie in
// [min, max]; the contents become `out`.
Result<void> vector_field(Reader& r, std::string_view field, int prefix_bytes, size_t min,
                          size_t max, Reader& out) {
  const size_t at = r.offset();
  size_t len = 0;
  if (prefix_bytes == 1) {
    uint8_t n = 0;
    if (!r.u8(n)) return fail(field, "truncated length", at);
    len = n;
  } else {
    uint16_t n = 0;
    if (!r.u16(n)) return fail(field, "truncated length", at);
    len = n;
  }
  if (len < min || len > max) return fail(field, "length out of bounds", at);
  if (!r.sub(len, out)) return fail(field, "truncated", at);
  return {};
}

Result<void> u16_list(Reader& r, std::string_view field, std::vector<uint16_t>& out) {
  if (r.remaining() % 2 != 0) return fail(field, "odd length", r.offset());
  out.reserve(r.remaining() / 2);
  uint16_t v = 0;
  while (r.u16(v)) out.push_back(v);
  return {};
}

// server_name (RFC 6066 §3): ServerNameList<1..2^16-1> of {NameType, HostName<1..2^16-1>}.
// `out` views the first host_name (type 0) entry; other types are skipped by their length.
Result<void> server_name_view(Reader ext, std::string_view& out) {
  Reader list(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(ext, "server_name", 2, 1, 0xffff, list); !r) return r;
  if (!ext.empty()) return fail("server_name", "trailing bytes", ext.offset());
  bool found = false;
  while (!list.empty()) {
    uint8_t type = 0;
    if (!list.u8(type)) return fail("server_name", "truncated entry", list.offset());
    Reader name(std::span<const uint8_t>{}, 0);
    if (auto r = vector_field(list, "server_name.host_name", 2, 1, 0xffff, name); !r) return r;
    if (type == 0 && !found) {
      const auto bytes = name.rest();
      out = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      found = true;
    }
  }
  return {};
}

Result<void> parse_server_name(Reader ext, ClientHello& hello) {
  std::string_view name;
  if (auto r = server_name_view(ext, name); !r) return r;
  hello.server_name.assign(name);
  return {};
}

// application_layer_protocol_negotiation (RFC 7301 §3.1):
// ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>.
Result<void> parse_alpn(Reader ext, ClientHello& hello) {
  Reader list(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(ext, "alpn", 2, 2, 0xffff, list); !r) return r;
  if (!ext.empty()) return fail("alpn", "trailing bytes", ext.offset());
  while (!list.empty()) {
    Reader name(std::span<const uint8_t>{}, 0);
    if (auto r = vector_field(list, "alpn.protocol_name", 1, 1, 0xff, name); !r) return r;
    const auto bytes = name.rest();
    hello.alpn.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  return {};
}

// supported_versions (RFC 8446 §4.2.1), client form: ProtocolVersion versions<2..254>.
Result<void> parse_supported_versions(Reader ext, ClientHello& hello) {
  Reader list(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(ext, "supported_versions", 1, 2, 254, list); !r) return r;
  if (!ext.empty()) return fail("supported_versions", "trailing bytes", ext.offset());
  return u16_list(list, "supported_versions", hello.supported_versions);
}

// signature_algorithms (RFC 8446 §4.2.3):
// SignatureScheme supported_signature_algorithms<2..2^16-2>.
Result<void> parse_signature_algorithms(Reader ext, ClientHello& hello) {
  Reader list(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(ext, "signature_algorithms", 2, 2, 0xfffe, list); !r) return r;
  if (!ext.empty()) return fail("signature_algorithms", "trailing bytes", ext.offset());
  return u16_list(list, "signature_algorithms", hello.signature_algorithms);
}

// Extensions<8..2^16-1> (RFC 8446 §4.1.2; RFC 5246 allows the block to be absent entirely,
// which the caller handles). Each: ExtensionType, opaque extension_data<0..2^16-1>.
Result<void> parse_extensions(Reader& body, ClientHello& hello) {
  Reader block(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(body, "extensions", 2, 0, 0xffff, block); !r) return r;
  while (!block.empty()) {
    const size_t at = block.offset();
    uint16_t type = 0;
    if (!block.u16(type)) return fail("extension", "truncated type", at);
    Reader data(std::span<const uint8_t>{}, 0);
    if (auto r = vector_field(block, "extension_data", 2, 0, 0xffff, data); !r) return r;
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type."
    if (std::find(hello.extensions.begin(), hello.extensions.end(), type) !=
        hello.extensions.end()) {
      return fail("extension", "duplicate type", at);
    }
    hello.extensions.push_back(type);
    Result<void> inner;
    switch (type) {
      case kExtServerName:
        hello.has_server_name = true;
        inner = parse_server_name(data, hello);
        break;
      case kExtAlpn:
        hello.has_alpn = true;
        inner = parse_alpn(data, hello);
        break;
      case kExtSupportedVersions: inner = parse_supported_versions(data, hello); break;
      case kExtSignatureAlgorithms: inner = parse_signature_algorithms(data, hello); break;
      default: break;
    }
    if (!inner) return inner;
  }
  return {};
}

// The ClientHello body (after the 4-byte handshake header), RFC 8446 §4.1.2.
Result<ClientHello> parse_body(Reader body) {
  ClientHello hello;
  if (!body.u16(hello.legacy_version)) return fail("legacy_version", "truncated", body.offset());
  if (!body.skip(32)) return fail("random", "truncated", body.offset());
  Reader scratch(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(body, "legacy_session_id", 1, 0, 32, scratch); !r) return r.error();
  Reader suites(std::span<const uint8_t>{}, 0);
  if (auto r = vector_field(body, "cipher_suites", 2, 2, 0xfffe, suites); !r) return r.error();
  if (auto r = u16_list(suites, "cipher_suites", hello.cipher_suites); !r) return r.error();
  if (auto r = vector_field(body, "legacy_compression_methods", 1, 1, 0xff, scratch); !r) {
    return r.error();
  }
  if (body.empty()) return hello;  // no extensions block (TLS 1.2 and older may omit it)
  if (auto r = parse_extensions(body, hello); !r) return r.error();
  if (!body.empty()) return fail("client_hello", "trailing bytes", body.offset());
  return hello;
}

// A bare handshake message: type, uint24 length, exactly that many bytes.
Result<ClientHello> parse_handshake(std::span<const uint8_t> msg) {
  Reader r(msg, 0);
  uint8_t type = 0;
  uint32_t len = 0;
  if (!r.u8(type)) return fail("handshake", "truncated type", 0);
  if (type != kHandshakeClientHello) return fail("handshake", "not a client_hello", 0);
  if (!r.u24(len)) return fail("handshake", "truncated length", 1);
  if (len > kMaxClientHelloBytes) return fail("handshake", "client_hello too large", 1);
  if (r.remaining() < len) return fail("handshake", "truncated", kHandshakeHeaderBytes);
  if (r.remaining() > len) return fail("handshake", "trailing bytes", kHandshakeHeaderBytes + len);
  return parse_body(Reader(r.rest(), kHandshakeHeaderBytes));
}

// Records: concatenates handshake fragments until the message they carry is complete.
// Offsets in record errors count from the start of the record stream.
Result<ClientHello> parse_records(std::span<const uint8_t> stream) {
  std::vector<uint8_t> msg;
  size_t need = 0;  // total handshake bytes (header + body) once the header is known
  size_t pos = 0;
  for (;;) {
    if (stream.size() - pos < kRecordHeaderBytes) return fail("record", "truncated header", pos);
    const uint8_t* h = stream.data() + pos;
    const size_t len = size_t{h[3]} << 8 | h[4];
    if (h[0] != kRecordHandshake) return fail("record", "not a handshake record", pos);
    // legacy_record_version (RFC 8446 §5.1): 0x0301 or 0x0303 in practice; any 3.x is tolerated.
    if (h[1] != 3) return fail("record", "bad legacy_record_version", pos + 1);
    if (len == 0 || len > kMaxRecordFragment) return fail("record", "bad length", pos + 3);
    if (stream.size() - pos - kRecordHeaderBytes < len) return fail("record", "truncated", pos);
    const auto frag = stream.subspan(pos + kRecordHeaderBytes, len);
    pos += kRecordHeaderBytes + len;
    if (msg.size() + frag.size() > kMaxClientHelloBytes + kHandshakeHeaderBytes) {
      return fail("handshake", "client_hello too large", msg.size());
    }
    msg.insert(msg.end(), frag.begin(), frag.end());
    if (need == 0 && msg.size() >= kHandshakeHeaderBytes) {
      if (msg[0] != kHandshakeClientHello) return fail("handshake", "not a client_hello", 0);
      const size_t body = size_t{msg[1]} << 16 | size_t{msg[2]} << 8 | msg[3];
      if (body > kMaxClientHelloBytes) return fail("handshake", "client_hello too large", 1);
      need = kHandshakeHeaderBytes + body;
    }
    if (need != 0 && msg.size() >= need) {
      // The record that completes the hello must not carry a second handshake message.
      if (msg.size() > need) return fail("handshake", "trailing bytes", need);
      return parse_handshake(msg);
    }
  }
}

}  // namespace

Result<std::string_view> parse_server_name_extension(std::span<const uint8_t> data) {
  std::string_view name;
  if (auto r = server_name_view(Reader(data, 0), name); !r) return r.error();
  return name;
}

Result<ClientHello> parse_client_hello(std::span<const uint8_t> input) {
  if (input.empty()) return fail("input", "truncated", 0);
  if (input[0] == kRecordHandshake) return parse_records(input);
  if (input[0] == kHandshakeClientHello) return parse_handshake(input);
  return fail("input", "neither a handshake record nor a client_hello", 0);
}

}  // namespace zs::tls
