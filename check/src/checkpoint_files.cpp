#include "checkpoint_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pcheck/checkpoint.hpp"

namespace pcheck {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* format_name = "protocheck-checkpoint/1";
constexpr char visited_magic[8] = {'P', 'C', 'V', 'I', 'S', '0', '0', '1'};
constexpr char frontier_magic[8] = {'P', 'C', 'F', 'R', 'N', '0', '0', '1'};

// FNV-1a over everything between the header and the checksum: a truncated or damaged file is
// refused, never half-read.
class Checksum {
  public:
    void add(const void* data, std::size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t at = 0; at < size; ++at) {
            value_ = (value_ ^ bytes[at]) * 0x100000001b3ull;
        }
    }
    [[nodiscard]] std::uint64_t value() const { return value_; }

  private:
    std::uint64_t value_ = 0xcbf29ce484222325ull;
};

// A binary file of fixed-size records: magic, count, records, checksum; written to a
// temporary name, flushed to disk, then renamed.
class RecordWriter {
  public:
    RecordWriter(std::string path, const char (&magic)[8]) : path_(std::move(path)) {
        temporary_ = path_ + ".tmp";
        file_ = std::fopen(temporary_.c_str(), "wb");
        if (file_ == nullptr) throw CheckpointError(temporary_, "cannot open for writing");
        put(magic, 8, false);
        put(&count_, sizeof count_, false);  // rewritten at the end
    }
    RecordWriter(const RecordWriter&) = delete;
    RecordWriter& operator=(const RecordWriter&) = delete;
    ~RecordWriter() {
        if (file_ != nullptr) std::fclose(file_);
    }

    void record(const void* data, std::size_t size) {
        put(data, size, true);
        ++count_;
    }

    [[nodiscard]] std::uint64_t finish() {
        const std::uint64_t sum = checksum_.value();
        put(&sum, sizeof sum, false);
        bool ok = std::fseek(file_, 8, SEEK_SET) == 0;
        ok = ok && std::fwrite(&count_, sizeof count_, 1, file_) == 1;
        ok = ok && std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
        ok = (std::fclose(file_) == 0) && ok;
        file_ = nullptr;
        if (!ok) throw CheckpointError(temporary_, "cannot write (disk full?)");
        fs::rename(temporary_, path_);
        return count_;
    }

  private:
    void put(const void* data, std::size_t size, bool summed) {
        if (std::fwrite(data, 1, size, file_) != size) {
            throw CheckpointError(temporary_, "cannot write (disk full?)");
        }
        if (summed) checksum_.add(data, size);
    }

    std::string path_;
    std::string temporary_;
    std::FILE* file_ = nullptr;
    std::uint64_t count_ = 0;
    Checksum checksum_;
};

// Reads a file RecordWriter wrote, one record at a time, checking magic, count and checksum.
void read_records(const std::string& path,
                  const char (&magic)[8],
                  std::uint64_t expected_count,
                  std::size_t record_size,
                  const std::function<void(const unsigned char*)>& each) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CheckpointError(path, "cannot open for reading");
    char found_magic[8] = {};
    std::uint64_t count = 0;
    in.read(found_magic, 8);
    in.read(reinterpret_cast<char*>(&count), sizeof count);
    if (!in || std::memcmp(found_magic, magic, 8) != 0) {
        throw CheckpointError(path, "not a protocheck checkpoint file of this version");
    }
    if (count != expected_count) {
        throw CheckpointError(path, "holds " + std::to_string(count) +
                                        " records, checkpoint.json "
                                        "says " +
                                        std::to_string(expected_count));
    }
    Checksum checksum;
    std::vector<unsigned char> buffer(record_size * 4096);
    std::uint64_t left = count;
    while (left > 0) {
        const std::uint64_t batch = std::min<std::uint64_t>(left, 4096);
        in.read(reinterpret_cast<char*>(buffer.data()),
                static_cast<std::streamsize>(batch * record_size));
        if (!in) throw CheckpointError(path, "is truncated");
        checksum.add(buffer.data(), batch * record_size);
        for (std::uint64_t at = 0; at < batch; ++at) each(buffer.data() + at * record_size);
        left -= batch;
    }
    std::uint64_t sum = 0;
    in.read(reinterpret_cast<char*>(&sum), sizeof sum);
    if (!in || sum != checksum.value()) {
        throw CheckpointError(path, "is damaged (checksum mismatch)");
    }
}

json counters_json(const SearchCounters& counters) {
    json result = {{"initial_fingerprint", counters.initial_fingerprint},
                   {"depth", counters.depth},
                   {"states", counters.states},
                   {"transitions", counters.transitions},
                   {"terminal_states", counters.terminal},
                   {"deadlock_states", counters.deadlock_states},
                   {"reduced_states", counters.reduced},
                   {"persistent_subsets", counters.subsets},
                   {"next_index", counters.next_index},
                   {"parent_records", counters.parent_records},
                   {"peak_frontier", counters.peak_frontier},
                   {"seconds", counters.seconds},
                   {"first_deadlock", nullptr}};
    if (counters.first_deadlock) {
        json cycle = json::array();
        for (pcore::CompId comp : counters.first_deadlock->cycle) cycle.push_back(comp.value());
        result["first_deadlock"] = {{"cycle", cycle},
                                    {"detail", counters.first_deadlock->detail},
                                    {"fingerprint", counters.first_deadlock_fingerprint}};
    }
    return result;
}

SearchCounters counters_from(const json& search) {
    SearchCounters counters;
    counters.initial_fingerprint = search.at("initial_fingerprint").get<std::uint64_t>();
    counters.depth = search.at("depth").get<std::uint32_t>();
    counters.states = search.at("states").get<std::uint64_t>();
    counters.transitions = search.at("transitions").get<std::uint64_t>();
    counters.terminal = search.at("terminal_states").get<std::uint64_t>();
    counters.deadlock_states = search.at("deadlock_states").get<std::uint64_t>();
    counters.reduced = search.at("reduced_states").get<std::uint64_t>();
    counters.subsets = search.at("persistent_subsets").get<std::uint64_t>();
    counters.next_index = search.at("next_index").get<std::uint64_t>();
    counters.parent_records = search.at("parent_records").get<std::uint64_t>();
    counters.peak_frontier = search.at("peak_frontier").get<std::uint64_t>();
    counters.seconds = search.at("seconds").get<double>();
    const json& deadlock = search.at("first_deadlock");
    if (!deadlock.is_null()) {
        pmodel::AppDeadlock found;
        for (const json& comp : deadlock.at("cycle")) {
            found.cycle.emplace_back(comp.get<std::uint32_t>());
        }
        found.detail = deadlock.at("detail").get<std::string>();
        counters.first_deadlock = std::move(found);
        counters.first_deadlock_fingerprint = deadlock.at("fingerprint").get<std::uint64_t>();
    }
    return counters;
}

std::string commit_path(const std::string& dir) {
    return (fs::path(dir) / "checkpoint.json").string();
}

json read_commit(const std::string& dir) {
    const std::string path = commit_path(dir);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CheckpointError(path, "cannot open for reading (no checkpoint in " + dir + ")");
    std::ostringstream text;
    text << in.rdbuf();
    json commit = json::parse(text.str(), nullptr, false);
    if (commit.is_discarded() || !commit.is_object() ||
        commit.value("format", std::string()) != format_name) {
        throw CheckpointError(
            path, std::string("expected a checkpoint of format \"") + format_name + "\"");
    }
    return commit;
}

void sync_directory(const std::string& dir) {
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

}  // namespace

std::string parent_log_path(const std::string& dir) {
    return (fs::path(dir) / "parents.log").string();
}

std::string read_checkpoint_header(const std::string& dir) {
    const json commit = read_commit(dir);
    if (!commit.contains("header")) throw CheckpointError(commit_path(dir), "has no header");
    return commit["header"].dump();
}

void write_checkpoint(
    const std::string& dir,
    const CheckpointContents& contents,
    const std::function<void(const std::function<void(std::uint64_t)>&)>& each_visited) {
    std::uint64_t generation = 1;
    std::string previous_visited;
    std::string previous_frontier;
    if (fs::exists(commit_path(dir))) {
        const json previous = read_commit(dir);
        generation = previous.value("generation", std::uint64_t{0}) + 1;
        previous_visited = previous.value("visited", std::string());
        previous_frontier = previous.value("frontier", std::string());
    }
    const std::string visited_name = "visited-" + std::to_string(generation) + ".bin";
    const std::string frontier_name = "frontier-" + std::to_string(generation) + ".bin";
    RecordWriter visited((fs::path(dir) / visited_name).string(), visited_magic);
    each_visited([&](std::uint64_t fingerprint) { visited.record(&fingerprint, 8); });
    const std::uint64_t visited_count = visited.finish();
    RecordWriter frontier((fs::path(dir) / frontier_name).string(), frontier_magic);
    for (const FrontierEntry& entry : contents.frontier) {
        unsigned char record[12];
        std::memcpy(record, &entry.index, 4);
        std::memcpy(record + 4, &entry.fingerprint, 8);
        frontier.record(record, sizeof record);
    }
    (void)frontier.finish();
    const json commit = {{"format", format_name},
                         {"generation", generation},
                         {"header", json::parse(contents.header)},
                         {"search", counters_json(contents.counters)},
                         {"visited", visited_name},
                         {"visited_count", visited_count},
                         {"frontier", frontier_name},
                         {"frontier_count", contents.frontier.size()}};
    const std::string temporary = commit_path(dir) + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << commit.dump(1) << '\n';
        out.flush();
        if (!out) throw CheckpointError(temporary, "cannot write (disk full?)");
    }
    const int fd = open(temporary.c_str(), O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    fs::rename(temporary, commit_path(dir));
    sync_directory(dir);
    std::error_code ignored;
    if (!previous_visited.empty() && previous_visited != visited_name) {
        fs::remove(fs::path(dir) / previous_visited, ignored);
    }
    if (!previous_frontier.empty() && previous_frontier != frontier_name) {
        fs::remove(fs::path(dir) / previous_frontier, ignored);
    }
}

CheckpointContents read_checkpoint(const std::string& dir,
                                   const std::function<void(std::uint64_t)>& visit) {
    const json commit = read_commit(dir);
    CheckpointContents contents;
    std::string visited_name;
    std::string frontier_name;
    std::uint64_t visited_count = 0;
    std::uint64_t frontier_count = 0;
    try {
        contents.header = commit.at("header").dump();
        contents.counters = counters_from(commit.at("search"));
        visited_name = commit.at("visited").get<std::string>();
        frontier_name = commit.at("frontier").get<std::string>();
        visited_count = commit.at("visited_count").get<std::uint64_t>();
        frontier_count = commit.at("frontier_count").get<std::uint64_t>();
    } catch (const json::exception& error) {
        throw CheckpointError(commit_path(dir), std::string("malformed: ") + error.what());
    }
    if (visited_name.find('/') != std::string::npos ||
        frontier_name.find('/') != std::string::npos) {
        throw CheckpointError(commit_path(dir), "names a file outside its directory");
    }
    read_records((fs::path(dir) / visited_name).string(), visited_magic, visited_count, 8,
                 [&](const unsigned char* record) {
                     std::uint64_t fingerprint = 0;
                     std::memcpy(&fingerprint, record, 8);
                     visit(fingerprint);
                 });
    read_records((fs::path(dir) / frontier_name).string(), frontier_magic, frontier_count, 12,
                 [&](const unsigned char* record) {
                     FrontierEntry entry;
                     std::memcpy(&entry.index, record, 4);
                     std::memcpy(&entry.fingerprint, record + 4, 8);
                     contents.frontier.push_back(entry);
                 });
    return contents;
}

}  // namespace pcheck
