// Canonical byte encoding and the 64-bit hash used for state fingerprints.
//
// The encoding is explicit (little-endian, fixed widths, lengths before lists), so the same
// state gives the same bytes and the same fingerprint on every run, build and platform. Set-like
// containers are kept sorted by the core, so equal states encode equally.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "pcore/component.hpp"

namespace pcore {

class ByteWriter {
  public:
    void u8(std::uint8_t value) { bytes_.push_back(value); }
    void boolean(bool value) { u8(value ? 1 : 0); }
    void u16(std::uint16_t value) {
        u8(static_cast<std::uint8_t>(value));
        u8(static_cast<std::uint8_t>(value >> 8));
    }
    void u32(std::uint32_t value) {
        for (int shift = 0; shift < 32; shift += 8) u8(static_cast<std::uint8_t>(value >> shift));
    }
    void u64(std::uint64_t value) {
        for (int shift = 0; shift < 64; shift += 8) u8(static_cast<std::uint8_t>(value >> shift));
    }
    void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
    void text(std::string_view value) {
        u32(static_cast<std::uint32_t>(value.size()));
        bytes_.insert(bytes_.end(), value.begin(), value.end());
    }
    void clear() { bytes_.clear(); }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }

  private:
    std::vector<std::uint8_t> bytes_;
};

void encode(ByteWriter& out, const ErrorInfo& error);
void encode(ByteWriter& out, const Message& message);
void encode(ByteWriter& out, const ComponentState& state);

// A 64-bit hash of bytes (multiply-xorshift over 8-byte words; seedable). Not cryptographic;
// fingerprint collisions are estimated by the checker from the state count.
[[nodiscard]] std::uint64_t hash_bytes(const std::uint8_t* data,
                                       std::size_t size,
                                       std::uint64_t seed = 0x9E3779B97F4A7C15ull);
[[nodiscard]] inline std::uint64_t hash_bytes(const std::vector<std::uint8_t>& bytes,
                                              std::uint64_t seed = 0x9E3779B97F4A7C15ull) {
    return hash_bytes(bytes.data(), bytes.size(), seed);
}

}  // namespace pcore
