// A headless Chromium driven over the Chrome DevTools Protocol on a pipe
// (--remote-debugging-pipe): the browser reads NUL-terminated JSON commands on its fd 3 and
// writes NUL-terminated JSON replies and events on its fd 4, so no websocket is needed.
//
// Every wait has a deadline: a browser that hangs or dies fails the test with its own log
// instead of hanging it. The browser runs in its own process group with a fresh profile
// directory; both are gone when the DevtoolsBrowser is.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ptest::devtools {

// A browser that did not answer in time, closed its pipe, or answered with an error.
class BrowserError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct BrowserOptions {
    std::string executable = "/usr/bin/chromium";
    std::chrono::milliseconds reply_timeout{20000};
    int window_width = 1400;
    int window_height = 900;
};

class DevtoolsBrowser {
  public:
    // Starts the browser (throws BrowserError when it cannot).
    explicit DevtoolsBrowser(BrowserOptions options = {});
    ~DevtoolsBrowser();
    DevtoolsBrowser(const DevtoolsBrowser&) = delete;
    DevtoolsBrowser& operator=(const DevtoolsBrowser&) = delete;

    // Sends a command (to a page when `session_id` is set) and returns its "result".
    nlohmann::json call(const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object(),
                        const std::string& session_id = {});

    // The params of the first `method` event of that session, received already or next.
    nlohmann::json wait_for_event(const std::string& method, const std::string& session_id = {});

    // Forgets the `method` events received so far (before a command that causes a new one).
    void discard_events(const std::string& method);

    // The end of the browser's stderr, for failure messages.
    [[nodiscard]] std::string log_tail(std::size_t max_chars = 3000) const;

  private:
    void launch();
    void send_message(const nlohmann::json& message);
    nlohmann::json read_message(std::chrono::steady_clock::time_point deadline);
    void fill_buffer(std::chrono::steady_clock::time_point deadline);
    [[noreturn]] void fail(const std::string& what) const;
    void shut_down() noexcept;

    BrowserOptions options_;
    std::string scratch_dir_;  // the profile and the log
    pid_t pid_ = -1;
    int to_browser_ = -1;
    int from_browser_ = -1;
    std::string received_;  // bytes read but not yet split into messages
    std::deque<nlohmann::json> events_;
    std::int64_t next_id_ = 1;
};

// One tab of the browser, attached with a flat session.
class DevtoolsPage {
  public:
    // The browser's first page target (a new one when it has none).
    static DevtoolsPage attach_first_page(DevtoolsBrowser& browser);

    // Navigates and waits for the load event.
    void navigate(const std::string& url);

    // The value of a JavaScript expression (JSON-serialisable); throws on a script exception.
    nlohmann::json evaluate(const std::string& expression);

    // A key pressed and released: "ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Home",
    // "End", or one lowercase letter.
    void press_key(const std::string& key);

    // A left click at viewport coordinates (CSS pixels).
    void click_at(double x, double y);

    // The viewport as a PNG file.
    void save_screenshot(const std::string& path);

  private:
    DevtoolsPage(DevtoolsBrowser& browser, std::string session_id)
        : browser_(&browser), session_id_(std::move(session_id)) {}
    nlohmann::json call(const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object());

    DevtoolsBrowser* browser_;
    std::string session_id_;
};

// Standard base64 (padding optional, whitespace ignored); throws on other characters.
[[nodiscard]] std::vector<std::uint8_t> decode_base64(std::string_view text);

// A file:// URL for an absolute path, with the characters a URL path cannot hold escaped.
[[nodiscard]] std::string file_url(const std::string& absolute_path);

}  // namespace ptest::devtools
