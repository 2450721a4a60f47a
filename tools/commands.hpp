// The `tern` command's subcommands. Each cmd_<name>.cpp defines one
// function; main.cpp holds the table.
#pragma once

#include <string>
#include <vector>

namespace tern::tool {

using Args = std::vector<std::string>;

int cmd_speed(const Args& args);
int cmd_keygen(const Args& args);
int cmd_cert(const Args& args);
int cmd_client(const Args& args);
int cmd_server(const Args& args);

// Exit status for bad usage (unknown option, missing argument).
inline constexpr int kUsage = 64;

// Prints "tern: <msg>" to stderr and returns `code` (for `return fail(...)`).
int fail(int code, const std::string& msg);

}  // namespace tern::tool
