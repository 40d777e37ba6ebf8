// Large zero-filled memory straight from the kernel, for the checker's two big consumers: the
// visited set's slots and the frontier's packed states.
//
// Why not new[]: value-initialising new[] writes zeros over pages the kernel already zeroed, and
// each 4 KiB page costs a fault on first touch (on this project's VMs a fault costs several
// microseconds: 10% of a search). Mapped memory comes zeroed, and madvise(MADV_HUGEPAGE) asks
// for 2 MiB pages where the kernel offers them ("always" or "madvise" in
// /sys/kernel/mm/transparent_hugepage/enabled); elsewhere it is a no-op.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <utility>

namespace pcheck {

class MappedMemory {
  public:
    MappedMemory() = default;
    // on_demand: pages come on first touch. now: every page is written before the constructor
    // returns. A page first read (a probe of an empty slot) is mapped to the shared zero page,
    // and the write that follows replaces it and flushes the TLB of every CPU the process runs
    // on: with two threads, an interrupt to the other CPU per page (a quarter of the system
    // time of a two-thread search went there). Written first, a page faults once, locally.
    enum class Touch { on_demand, now };
    explicit MappedMemory(std::size_t bytes, Touch touch = Touch::on_demand) : size_(bytes) {
        if (bytes == 0) return;
        void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED) throw std::bad_alloc();
        if (bytes >= huge_page) (void)madvise(at, bytes, MADV_HUGEPAGE);  // a hint only
        data_ = static_cast<std::byte*>(at);
        // After the hint, so that the writes fault in huge pages where the kernel offers them.
        if (touch == Touch::now) {
            for (std::size_t offset = 0; offset < bytes; offset += small_page) {
                static_cast<volatile std::byte*>(at)[offset] = std::byte{0};
            }
        }
    }
    MappedMemory(const MappedMemory&) = delete;
    MappedMemory& operator=(const MappedMemory&) = delete;
    MappedMemory(MappedMemory&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    MappedMemory& operator=(MappedMemory&& other) noexcept {
        if (this != &other) {
            release();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~MappedMemory() { release(); }

    [[nodiscard]] std::byte* data() const { return data_; }
    [[nodiscard]] std::size_t size() const { return size_; }

    static constexpr std::size_t huge_page = std::size_t{2} << 20;
    static constexpr std::size_t small_page = std::size_t{4} << 10;

  private:
    void release() {
        if (data_ != nullptr) (void)munmap(data_, size_);
        data_ = nullptr;
        size_ = 0;
    }
    std::byte* data_ = nullptr;  // page aligned, zero-filled when mapped
    std::size_t size_ = 0;
};

}  // namespace pcheck
