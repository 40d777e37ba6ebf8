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
    explicit MappedMemory(std::size_t bytes) : size_(bytes) {
        if (bytes == 0) return;
        void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED) throw std::bad_alloc();
        if (bytes >= huge_page) (void)madvise(at, bytes, MADV_HUGEPAGE);  // a hint only
        data_ = static_cast<std::byte*>(at);
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
