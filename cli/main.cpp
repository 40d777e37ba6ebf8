#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    return pcli::run_cli(args, std::cout, std::cerr);
}
