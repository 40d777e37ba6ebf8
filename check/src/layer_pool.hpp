// Threads that live for a whole search and run one job per breadth-first layer.
//
// Starting threads anew for every layer would throw away what each thread keeps between states:
// its thread-local caches (the step memo's front cache, encoders' buffers) and its malloc
// arena's warm free lists. `run(job)` calls job(0) on the calling thread and job(1..T-1) on the
// pool's threads, and returns when all have returned.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pcheck {

class LayerPool {
  public:
    explicit LayerPool(unsigned threads) {
        for (unsigned thread = 1; thread < threads; ++thread) {
            workers_.emplace_back([this, thread] { serve(thread); });
        }
    }
    LayerPool(const LayerPool&) = delete;
    LayerPool& operator=(const LayerPool&) = delete;
    ~LayerPool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closing_ = true;
        }
        wake_.notify_all();
        for (std::thread& worker : workers_) worker.join();
    }

    void run(const std::function<void(unsigned)>& job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = &job;
            running_ = workers_.size();
            ++generation_;
        }
        wake_.notify_all();
        job(0);
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return running_ == 0; });
        job_ = nullptr;
    }

  private:
    void serve(unsigned thread) {
        std::uint64_t seen = 0;
        while (true) {
            const std::function<void(unsigned)>* job = nullptr;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return closing_ || generation_ != seen; });
                if (closing_) return;
                seen = generation_;
                job = job_;
            }
            (*job)(thread);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                --running_;
            }
            done_.notify_one();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void(unsigned)>* job_ = nullptr;
    std::uint64_t generation_ = 0;
    std::size_t running_ = 0;
    bool closing_ = false;
};

}  // namespace pcheck
