// Canonical byte encoding and the 64-bit hash used for state fingerprints.
//
// The encoding is explicit (little-endian, fixed widths, lengths before lists), so the same
// state gives the same bytes and the same fingerprint on every run, build and platform. Set-like
// containers are kept sorted by the core, so equal states encode equally.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "pcore/component.hpp"

namespace pcore {

// Appends little-endian fixed-width fields to a reusable buffer. Hot in the checker (every
// generated state is encoded once), so writes are unchecked after one capacity check each.
class ByteWriter {
  public:
    [[gnu::always_inline]] void u8(std::uint8_t value) {
        reserve(1);
        buffer_[size_++] = value;
    }
    void boolean(bool value) { u8(value ? 1 : 0); }
    void u16(std::uint16_t value) { put(value, 2); }
    void u32(std::uint32_t value) { put(value, 4); }
    void u64(std::uint64_t value) { put(value, 8); }
    void i64(std::int64_t value) { u64(static_cast<std::uint64_t>(value)); }
    void text(std::string_view value) {
        u32(static_cast<std::uint32_t>(value.size()));
        reserve(value.size());
        if (!value.empty()) std::memcpy(buffer_.data() + size_, value.data(), value.size());
        size_ += value.size();
    }
    // A component id a component may address (see `referenced_components`).
    void comp(CompId id) {
        if (hooked_) [[unlikely]] {
            hooked_comp(id.value(), true);
            return;
        }
        u32(id.value());
    }
    // A component id kept for the record, never addressed (a creator, a channel's creator).
    void recorded_comp(std::uint32_t id) {
        if (hooked_) [[unlikely]] {
            hooked_comp(id, false);
            return;
        }
        u32(id);
    }
    // While set, every id written by comp() (and by recorded_comp() when `records` is true) is
    // also appended to `sink`.
    void collect_components(std::vector<std::uint32_t>* sink, bool records = false) {
        comp_sink_ = sink;
        collect_records_ = records;
        hooked_ = comp_sink_ != nullptr || comp_map_ != nullptr;
    }
    // While set, ids below map->size() are written as (*map)[id] (symmetry: a renaming).
    void rename_components(const std::vector<std::uint32_t>* map) {
        comp_map_ = map;
        hooked_ = comp_sink_ != nullptr || comp_map_ != nullptr;
    }
    void clear() { size_ = 0; }
    [[nodiscard]] const std::uint8_t* data() const { return buffer_.data(); }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::vector<std::uint8_t> bytes() const {
        return std::vector<std::uint8_t>(buffer_.begin(),
                                         buffer_.begin() + static_cast<std::ptrdiff_t>(size_));
    }

  private:
    // Inlined: the checker encodes every state it generates, field by field.
    [[gnu::always_inline]] void reserve(std::size_t more) {
        if (size_ + more > buffer_.size()) [[unlikely]]
            grow(more);
    }
    void grow(std::size_t more) {
        buffer_.resize(std::max(buffer_.size() * 2, size_ + more + 256));
    }
    // Little-endian on every machine, so that fingerprints and traces agree across builds.
    [[gnu::always_inline]] void put(std::uint64_t value, std::size_t width) {
        reserve(8);
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(buffer_.data() + size_, &value, 8);  // the bytes past width are scratch
        } else {
            for (std::size_t at = 0; at < width; ++at) {
                buffer_[size_ + at] = static_cast<std::uint8_t>(value >> (8 * at));
            }
        }
        size_ += width;
    }

    void hooked_comp(std::uint32_t id, bool addressed) {
        if (comp_sink_ != nullptr && (addressed || collect_records_)) comp_sink_->push_back(id);
        u32(comp_map_ != nullptr && id < comp_map_->size() ? (*comp_map_)[id] : id);
    }

    std::vector<std::uint8_t> buffer_;
    std::size_t size_ = 0;

    std::vector<std::uint32_t>* comp_sink_ = nullptr;
    const std::vector<std::uint32_t>* comp_map_ = nullptr;
    bool collect_records_ = false;
    bool hooked_ = false;
};

void encode(ByteWriter& out, const ErrorInfo& error);
void encode(ByteWriter& out, const Message& message);
void encode(ByteWriter& out, const ComponentState& state);

// Every component a state or a message names, in any field the runtime could use to reach it
// (ports, peers, rounds, control entries, pending transfers, carried ports, provenance): the
// ids the encoding writes, so a field added to the encoding is covered too. Ids kept only for
// the record (`creator`, a channel's creator: the runtime never addresses them) are left out
// unless `records` is true. Appends to `out` (unsorted, with repeats); `scratch` is
// overwritten. Used by the reductions.
void referenced_components(const ComponentState& state,
                           ByteWriter& scratch,
                           std::vector<std::uint32_t>& out,
                           bool records = false);
void referenced_components(const Message& message,
                           ByteWriter& scratch,
                           std::vector<std::uint32_t>& out,
                           bool records = false);

// A 64-bit hash of bytes (multiply-xorshift over 8-byte words; seedable). Not cryptographic;
// fingerprint collisions are estimated by the checker from the state count.
[[nodiscard]] std::uint64_t hash_bytes(const std::uint8_t* data,
                                       std::size_t size,
                                       std::uint64_t seed = 0x9E3779B97F4A7C15ull);
[[nodiscard]] inline std::uint64_t hash_bytes(const std::vector<std::uint8_t>& bytes,
                                              std::uint64_t seed = 0x9E3779B97F4A7C15ull) {
    return hash_bytes(bytes.data(), bytes.size(), seed);
}

// The hash of up to eight words, as their little-endian bytes.
[[nodiscard]] inline std::uint64_t hash_words(std::initializer_list<std::uint64_t> words) {
    std::uint64_t buffer[8];
    std::size_t count = 0;
    for (const std::uint64_t word : words) {
        if (count == 8) break;
        buffer[count++] = word;
    }
    if constexpr (std::endian::native == std::endian::little) {
        // The words' bytes are already little-endian: hashed in place.
        return hash_bytes(reinterpret_cast<const std::uint8_t*>(buffer),
                          count * sizeof(std::uint64_t));
    } else {
        std::uint8_t bytes[sizeof buffer];
        std::size_t size = 0;
        for (std::size_t index = 0; index < count; ++index) {
            for (int shift = 0; shift < 64; shift += 8) {
                bytes[size++] = static_cast<std::uint8_t>(buffer[index] >> shift);
            }
        }
        return hash_bytes(bytes, size);
    }
}

}  // namespace pcore
