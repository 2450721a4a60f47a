// The `tern` command's subcommands. Each cmd_<name>.cpp defines one
// function; main.cpp holds the table.
#pragma once

#include <string>
#include <vector>

namespace tern::tool {

using Args = std::vector<std::string>;

int cmd_speed(const Args& args);

// Prints "tern: <msg>" to stderr and returns `code` (for `return fail(...)`).
int fail(int code, const std::string& msg);

}  // namespace tern::tool
