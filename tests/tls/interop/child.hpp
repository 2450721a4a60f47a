// Child processes for the interop tests: `openssl s_server` / `s_client`
// started with a pipe on stdin and one pipe for stdout+stderr, drained by a
// reader thread (so the child never blocks on a full pipe). Every wait has
// a deadline; the destructor kills (SIGKILL) and reaps the child, and the
// child gets SIGKILL too if the test process dies (PR_SET_PDEATHSIG).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tern::interop {

class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    ::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return;
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      return;
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls from here on.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      // No other descriptor of ours (sockets of other connections) leaks in.
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    if (pid_ < 0) {
      ::close(in[1]);
      ::close(out[0]);
      return;
    }
    in_ = in[1];
    out_ = out[0];
    reader_ = std::thread([this] { drain(); });
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const noexcept { return pid_ > 0; }

  // Writes all of `s` to the child's stdin (false if it is gone). Blocks
  // while the pipe is full; use write_async for large inputs.
  bool write(std::string_view s) {
    std::size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(in_, s.data() + off, s.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Writes on a helper thread (joined by join_writer / stop).
  void write_async(std::string s) {
    join_writer();
    writer_ = std::thread([this, s = std::move(s)] { (void)write(s); });
  }
  void join_writer() {
    if (writer_.joinable()) writer_.join();
  }
  void close_stdin() {
    join_writer();
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }

  // Everything the child printed so far.
  std::string output() const {
    std::lock_guard<std::mutex> g(m_);
    return buf_;
  }
  // Waits until pred(output) holds; false after `ms` milliseconds or once
  // the child closed its output without the predicate holding.
  bool wait_until(const std::function<bool(const std::string&)>& pred, int ms) {
    std::unique_lock<std::mutex> g(m_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      if (pred(buf_)) return true;
      if (eof_) return false;
      if (cv_.wait_until(g, deadline) == std::cv_status::timeout) return pred(buf_);
    }
  }
  bool wait_for(std::string_view needle, int ms, std::size_t from = 0) {
    return wait_until([&](const std::string& s) { return s.find(needle, from) != std::string::npos; }, ms);
  }
  // Waits for the child to exit; its status via exit_code() (-1: killed/unknown).
  bool wait_exit(int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (pid_ > 0 && !reaped_) {
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        code_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  int exit_code() const noexcept { return code_; }

  // Kills (if still running) and reaps the child; joins the threads.
  void stop() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
    }
    if (in_ >= 0) ::close(in_);
    in_ = -1;
    join_writer();
    if (reader_.joinable()) reader_.join();
    if (out_ >= 0) ::close(out_);
    out_ = -1;
  }

 private:
  void drain() {
    char tmp[65536];
    for (;;) {
      ssize_t n = ::read(out_, tmp, sizeof tmp);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard<std::mutex> g(m_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      buf_.append(tmp, static_cast<std::size_t>(n));
      cv_.notify_all();
    }
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  int code_ = -1;
  int in_ = -1, out_ = -1;
  std::thread reader_, writer_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::string buf_;
  bool eof_ = false;
};

// Socket send/receive timeouts so a silent peer cannot hang a test.
inline void set_socket_timeouts(int fd, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// accept() with a deadline: -1 if nobody connects within `ms`.
inline int accept_within(int listen_fd, int ms) {
  pollfd p{listen_fd, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, ms);
  } while (r < 0 && errno == EINTR);
  if (r <= 0) return -1;
  return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// The port an `openssl s_server -accept 127.0.0.1:0` child listens on
// (from its "ACCEPT 127.0.0.1:PORT" line), or 0.
inline std::uint16_t s_server_port(Child& srv, int ms) {
  const std::string key = "ACCEPT 127.0.0.1:";
  if (!srv.wait_until(
          [&](const std::string& s) {
            const auto p = s.find(key);
            return p != std::string::npos && s.find('\n', p) != std::string::npos;
          },
          ms))
    return 0;
  const std::string out = srv.output();
  return static_cast<std::uint16_t>(std::atoi(out.c_str() + out.find(key) + key.size()));
}

inline bool have_openssl_cli() { return std::system("openssl version >/dev/null 2>&1") == 0; }

}  // namespace tern::interop
