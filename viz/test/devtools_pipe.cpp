#include "devtools_pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ptest::devtools {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Lowest descriptor the child parks the pipe ends on before moving them to 3 and 4, so that
// moving one never overwrites the other.
constexpr int parking_fd = 10;

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

int milliseconds_until(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

std::string make_scratch_dir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/protocheck-chromium-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw BrowserError(errno_text("mkdtemp " + pattern));
    return pattern;
}

std::vector<std::string> browser_arguments(const BrowserOptions& options,
                                           const std::string& profile) {
    // The networking switches keep a root, offline browser from reaching out (and waiting).
    return {options.executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=" + std::to_string(options.window_width) + "," +
                std::to_string(options.window_height),
            "--remote-debugging-pipe",
            "--user-data-dir=" + profile,
            "about:blank"};
}

// In the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_browser(char* const* argv,
                               const char* log_path,
                               int commands_read_end,
                               int replies_write_end) {
    setpgid(0, 0);  // our own group, so that the destructor can end the renderers too
    const int null_input = open("/dev/null", O_RDONLY);
    const int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_input < 0 || log < 0) _exit(126);
    dup2(null_input, 0);
    dup2(log, 1);
    dup2(log, 2);
    const int commands = fcntl(commands_read_end, F_DUPFD, parking_fd);
    const int replies = fcntl(replies_write_end, F_DUPFD, parking_fd);
    if (commands < 0 || replies < 0) _exit(126);
    // dup2 clears close-on-exec on the copies: only 3 and 4 survive exec.
    if (dup2(commands, 3) < 0 || dup2(replies, 4) < 0) _exit(126);
    execv(argv[0], argv);
    _exit(127);
}

}  // namespace

DevtoolsBrowser::DevtoolsBrowser(BrowserOptions options) : options_(std::move(options)) {
    if (access(options_.executable.c_str(), X_OK) != 0) {
        throw BrowserError("no browser to run at " + options_.executable);
    }
    // A browser that dies makes our next write fail with EPIPE rather than kill the test.
    signal(SIGPIPE, SIG_IGN);
    scratch_dir_ = make_scratch_dir();
    try {
        launch();
    } catch (...) {
        shut_down();
        throw;
    }
}

DevtoolsBrowser::~DevtoolsBrowser() {
    shut_down();
}

void DevtoolsBrowser::launch() {
    std::vector<std::string> arguments = browser_arguments(options_, scratch_dir_ + "/profile");
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const std::string log_path = scratch_dir_ + "/chromium.log";

    int commands[2];  // we write [1], the browser reads [0] as its fd 3
    int replies[2];   // the browser writes [1] as its fd 4, we read [0]
    if (pipe2(commands, O_CLOEXEC) != 0) throw BrowserError(errno_text("pipe"));
    if (pipe2(replies, O_CLOEXEC) != 0) {
        close(commands[0]);
        close(commands[1]);
        throw BrowserError(errno_text("pipe"));
    }
    pid_ = fork();
    if (pid_ == 0) exec_browser(argv.data(), log_path.c_str(), commands[0], replies[1]);
    close(commands[0]);
    close(replies[1]);
    to_browser_ = commands[1];
    from_browser_ = replies[0];
    if (pid_ < 0) throw BrowserError(errno_text("fork"));
    setpgid(pid_, pid_);  // also here: whichever of the two runs first
    // Writes wait in poll() with a deadline, never in write().
    fcntl(to_browser_, F_SETFL, fcntl(to_browser_, F_GETFL) | O_NONBLOCK);
}

void DevtoolsBrowser::fail(const std::string& what) const {
    throw BrowserError(what + "\n--- browser log (end) ---\n" + log_tail());
}

void DevtoolsBrowser::send_message(const json& message) {
    const std::string bytes = message.dump() + '\0';
    const Clock::time_point deadline = Clock::now() + options_.reply_timeout;
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        pollfd writable{to_browser_, POLLOUT, 0};
        const int ready = poll(&writable, 1, milliseconds_until(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) fail("the browser took no command for too long");
        const ssize_t written = write(to_browser_, bytes.data() + sent, bytes.size() - sent);
        if (written < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (written < 0) fail(errno_text("writing to the browser"));
        sent += static_cast<std::size_t>(written);
    }
}

void DevtoolsBrowser::fill_buffer(Clock::time_point deadline) {
    pollfd readable{from_browser_, POLLIN, 0};
    const int ready = poll(&readable, 1, milliseconds_until(deadline));
    if (ready < 0 && errno == EINTR) return;
    if (ready == 0) fail("no answer from the browser in time");
    char chunk[65536];
    const ssize_t got = read(from_browser_, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) return;
    if (got < 0) fail(errno_text("reading from the browser"));
    if (got == 0) fail("the browser closed its pipe (it exited or crashed)");
    received_.append(chunk, static_cast<std::size_t>(got));
}

json DevtoolsBrowser::read_message(Clock::time_point deadline) {
    std::size_t end = received_.find('\0');
    while (end == std::string::npos) {
        fill_buffer(deadline);
        end = received_.find('\0');
    }
    const std::string text = received_.substr(0, end);
    received_.erase(0, end + 1);
    json message = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) fail("the browser sent something that is not JSON: " + text);
    return message;
}

json DevtoolsBrowser::call(const std::string& method,
                           const json& params,
                           const std::string& session_id) {
    const std::int64_t id = next_id_++;
    json command = {{"id", id}, {"method", method}, {"params", params}};
    if (!session_id.empty()) command["sessionId"] = session_id;
    send_message(command);
    const Clock::time_point deadline = Clock::now() + options_.reply_timeout;
    while (true) {
        json message = read_message(deadline);
        if (message.contains("method")) {
            events_.push_back(std::move(message));
            continue;
        }
        if (message.value("id", std::int64_t{-1}) != id) continue;  // a late reply to nothing
        if (message.contains("error")) {
            throw BrowserError(method + " failed: " + message["error"].dump());
        }
        return message.value("result", json::object());
    }
}

json DevtoolsBrowser::wait_for_event(const std::string& method, const std::string& session_id) {
    const auto matches = [&](const json& event) {
        return event.value("method", "") == method && event.value("sessionId", "") == session_id;
    };
    for (auto event = events_.begin(); event != events_.end(); ++event) {
        if (!matches(*event)) continue;
        json params = event->value("params", json::object());
        events_.erase(event);
        return params;
    }
    const Clock::time_point deadline = Clock::now() + options_.reply_timeout;
    while (true) {
        json message = read_message(deadline);
        if (matches(message)) return message.value("params", json::object());
        if (message.contains("method")) events_.push_back(std::move(message));
    }
}

void DevtoolsBrowser::discard_events(const std::string& method) {
    std::erase_if(events_, [&](const json& event) { return event.value("method", "") == method; });
}

std::string DevtoolsBrowser::log_tail(std::size_t max_chars) const {
    std::ifstream in(scratch_dir_ + "/chromium.log");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string log = text.str();
    return log.size() <= max_chars ? log : log.substr(log.size() - max_chars);
}

void DevtoolsBrowser::shut_down() noexcept {
    if (pid_ > 0) {
        // Asked politely first, with a short patience: it answers or it closes the pipe. A
        // browser that did neither is hung, and not waited for.
        bool closing = false;
        try {
            options_.reply_timeout = std::chrono::milliseconds(2000);
            call("Browser.close");
            closing = true;
        } catch (...) {
        }
        const Clock::time_point deadline =
            Clock::now() + (closing ? std::chrono::seconds(5) : std::chrono::seconds(0));
        siginfo_t info{};
        // WNOWAIT: the leader stays unreaped, so its group id cannot be reused before the kill.
        while (Clock::now() < deadline) {
            info.si_pid = 0;
            if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
                break;
            if (info.si_pid == pid_) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        kill(-pid_, SIGKILL);  // the whole group: the browser and what it started
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    if (to_browser_ >= 0) close(to_browser_);
    if (from_browser_ >= 0) close(from_browser_);
    to_browser_ = from_browser_ = -1;
    if (!scratch_dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(scratch_dir_, ignored);
    }
}

// ---------------------------------------------------------------------------------------------

namespace {

struct KeyCodes {
    std::string key;
    std::string code;
    int virtual_key;
};

KeyCodes key_codes(const std::string& key) {
    static const std::vector<KeyCodes> named = {{"ArrowLeft", "ArrowLeft", 37},
                                                {"ArrowUp", "ArrowUp", 38},
                                                {"ArrowRight", "ArrowRight", 39},
                                                {"ArrowDown", "ArrowDown", 40},
                                                {"Home", "Home", 36},
                                                {"End", "End", 35}};
    for (const KeyCodes& codes : named) {
        if (codes.key == key) return codes;
    }
    if (key.size() == 1 && key[0] >= 'a' && key[0] <= 'z') {
        const char upper = static_cast<char>(key[0] - 'a' + 'A');
        return {key, std::string("Key") + upper, upper};
    }
    throw BrowserError("press_key: no key codes for \"" + key + "\"");
}

}  // namespace

DevtoolsPage DevtoolsPage::attach_first_page(DevtoolsBrowser& browser) {
    std::string target_id;
    for (const json& target :
         browser.call("Target.getTargets").value("targetInfos", json::array())) {
        if (target.value("type", "") == "page") {
            target_id = target.value("targetId", "");
            break;
        }
    }
    if (target_id.empty()) {
        target_id = browser.call("Target.createTarget", {{"url", "about:blank"}}).at("targetId");
    }
    const json attached =
        browser.call("Target.attachToTarget", {{"targetId", target_id}, {"flatten", true}});
    DevtoolsPage page(browser, attached.at("sessionId").get<std::string>());
    page.call("Page.enable");
    // Headless windows never have the focus; without this the page may not see key events.
    page.call("Emulation.setFocusEmulationEnabled", {{"enabled", true}});
    return page;
}

json DevtoolsPage::call(const std::string& method, const json& params) {
    return browser_->call(method, params, session_id_);
}

void DevtoolsPage::navigate(const std::string& url) {
    browser_->discard_events("Page.loadEventFired");
    const json navigated = call("Page.navigate", {{"url", url}});
    if (!navigated.value("errorText", "").empty()) {
        throw BrowserError("cannot open " + url + ": " + navigated["errorText"].get<std::string>());
    }
    browser_->wait_for_event("Page.loadEventFired", session_id_);
}

json DevtoolsPage::evaluate(const std::string& expression) {
    const json evaluated =
        call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
    if (evaluated.contains("exceptionDetails")) {
        throw BrowserError("script failed: " + evaluated["exceptionDetails"].dump() +
                           "\nin: " + expression);
    }
    return evaluated.at("result").value("value", json());
}

void DevtoolsPage::press_key(const std::string& key) {
    const KeyCodes codes = key_codes(key);
    json event = {{"key", codes.key},
                  {"code", codes.code},
                  {"windowsVirtualKeyCode", codes.virtual_key},
                  {"nativeVirtualKeyCode", codes.virtual_key}};
    event["type"] = "keyDown";
    call("Input.dispatchKeyEvent", event);
    event["type"] = "keyUp";
    call("Input.dispatchKeyEvent", event);
}

void DevtoolsPage::click_at(double x, double y) {
    json event = {{"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}};
    event["type"] = "mousePressed";
    call("Input.dispatchMouseEvent", event);
    event["type"] = "mouseReleased";
    call("Input.dispatchMouseEvent", event);
}

void DevtoolsPage::save_screenshot(const std::string& path) {
    const json shot = call("Page.captureScreenshot", {{"format", "png"}});
    const std::vector<std::uint8_t> png = decode_base64(shot.at("data").get<std::string>());
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    if (!out) throw BrowserError("cannot write " + path);
}

// ---------------------------------------------------------------------------------------------

std::vector<std::uint8_t> decode_base64(std::string_view text) {
    std::vector<std::uint8_t> bytes;
    std::uint32_t bits = 0;
    int bit_count = 0;
    for (const char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z') value = c - 'A';
        if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
        if (c >= '0' && c <= '9') value = c - '0' + 52;
        if (c == '+') value = 62;
        if (c == '/') value = 63;
        if (c == '=') break;
        if (c == '\n' || c == '\r' || c == ' ') continue;
        if (value < 0) throw BrowserError("not base64: character " + std::to_string(int{c}));
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            bytes.push_back(static_cast<std::uint8_t>((bits >> bit_count) & 0xffu));
        }
    }
    return bytes;
}

std::string file_url(const std::string& absolute_path) {
    static const char* hex = "0123456789ABCDEF";
    std::string url = "file://";
    for (const char c : absolute_path) {
        const auto byte = static_cast<unsigned char>(c);
        const bool plain = std::isalnum(byte) != 0 || std::strchr("/-._~", c) != nullptr;
        if (plain) {
            url.push_back(c);
        } else {
            url.push_back('%');
            url.push_back(hex[byte >> 4]);
            url.push_back(hex[byte & 0xfu]);
        }
    }
    return url;
}

}  // namespace ptest::devtools
