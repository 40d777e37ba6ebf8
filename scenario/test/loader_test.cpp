// Bad input of contract §4: each mistake is one InputError naming the JSON path.
#include "pscenario/loader.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace {

std::string wrap(const std::string& definitions,
                 const std::string& main,
                 const std::string& extra = "") {
    return R"({"format": "protocheck-scenario/1", "name": "t", "definitions": )" + definitions +
           R"(, "main": )" + main + extra + "}";
}

const std::string putter_def =
    R"({"p": {"params": ["out"], "program": [{"sync": [{"put": "out", "value": 1}]}]}})";

struct BadCase {
    const char* name;
    std::string text;
    const char* path;
    const char* says;
    // ctest lists the parameter: its name and the path expected, not the struct's bytes.
    friend void PrintTo(const BadCase& bad, std::ostream* out) {
        *out << bad.name << " at " << bad.path;
    }
};

class LoaderBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoaderBadInput, IsRefusedWithItsJsonPath) {
    const BadCase& bad = GetParam();
    try {
        (void)pscenario::load_scenario_text(bad.text, "bad.json");
        FAIL() << "accepted: " << bad.text;
    } catch (const pscenario::InputError& error) {
        EXPECT_EQ(error.file(), "bad.json");
        EXPECT_EQ(error.path(), bad.path) << error.what();
        EXPECT_NE(error.message().find(bad.says), std::string::npos) << error.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Contract4,
    LoaderBadInput,
    ::testing::Values(
        BadCase{"not_json", "{\"format\": ", "line 1, column 12", "not valid JSON"},
        BadCase{"wrong_format", R"({"format": "x"})", "$.format", "expected"},
        BadCase{"newer_version", R"({"format": "protocheck-scenario/9"})", "$.format",
                "unsupported"},
        BadCase{"unknown_top_key", wrap("{}", "[]", R"(, "colour": 1)"), "$.colour", "unknown key"},
        BadCase{"main_not_array", wrap("{}", "{}"), "$.main", "expected an array"},
        BadCase{"host_priority_not_boolean", wrap("{}", "[]", R"(, "host_priority": 1)"),
                "$.host_priority", "expected true or false"},
        BadCase{"unknown_statement_key", wrap("{}", R"([{"channel": ["a", "b"], "x": 1}])"),
                "$.main[0].x", "unknown key"},
        BadCase{"two_statements", wrap("{}", R"([{"channel": ["a", "b"], "exit": {}}])"),
                "$.main[0]", "exactly one"},
        BadCase{"unknown_definition", wrap("{}", R"([{"spawn": "ghost", "args": []}])"),
                "$.main[0].spawn", "unknown definition"},
        BadCase{"unknown_port", wrap(putter_def, R"([{"spawn": "p", "args": ["nope"]}])"),
                "$.main[0].args[0]", "unknown port"},
        BadCase{"port_used_twice",
                wrap(R"({"two": {"params": ["a", "b"], "program": []}})",
                     R"([{"channel": ["a", "b"]}, {"spawn": "two", "args": ["a", "a"]}])"),
                "$.main[1].args[1]", "used twice"},
        BadCase{"port_used_after_move",
                wrap(putter_def, R"([{"channel": ["a", "b"]}, {"spawn": "p", "args": ["a"]},
                                   {"spawn": "p", "args": ["a"]}])"),
                "$.main[2].args[0]", "already given away"},
        BadCase{"put_outside_sync",
                wrap("{}", R"([{"channel": ["a", "b"]}, {"put": "a", "value": 1}])"), "$.main[1]",
                "only allowed inside a sync"},
        BadCase{"spawn_inside_sync",
                wrap(putter_def,
                     R"([{"channel": ["a", "b"]}, {"sync": [{"spawn": "p", "args": ["a"]}]}])"),
                "$.main[1].sync[0].spawn", "not allowed inside a sync"},
        BadCase{"nested_sync", wrap("{}", R"([{"sync": [{"sync": []}]}])"),
                "$.main[0].sync[0].sync", "nested"},
        BadCase{"put_on_getter",
                wrap("{}", R"([{"channel": ["a", "b"]}, {"sync": [{"put": "b", "value": 1}]}])"),
                "$.main[1].sync[0].put", "putter"},
        BadCase{"value_not_integer",
                wrap("{}", R"([{"channel": ["a", "b"]}, {"sync": [{"put": "a", "value": "x"}]}])"),
                "$.main[1].sync[0].value", "expected an integer"},
        BadCase{"wrong_arity", wrap(putter_def, R"([{"spawn": "p", "args": []}])"),
                "$.main[0].args", "takes 1 port"},
        BadCase{"exit_in_sync", wrap("{}", R"([{"sync": [{"exit": {}}]}])"),
                "$.main[0].sync[0].exit", "not allowed inside a sync"},
        BadCase{"negative_repeat", wrap("{}", R"([{"repeat": -1, "body": []}])"),
                "$.main[0].repeat", "from 0 to 1000000"},
        BadCase{"expect_unknown_component", wrap("{}", "[]", R"(, "expect": {"zz": "any"})"),
                "$.expect.zz", "no component"},
        BadCase{"expect_unknown_error",
                wrap(putter_def,
                     R"([{"channel": ["a", "b"]}, {"spawn": "p", "args": ["a"], "as": "s"}])",
                     R"(, "expect": {"s": {"outcome": "failed", "error": "Nope"}})"),
                "$.expect.s.error", "never raised"},
        BadCase{"expect_bad_outcome",
                wrap(putter_def,
                     R"([{"channel": ["a", "b"]}, {"spawn": "p", "args": ["a"], "as": "s"}])",
                     R"(, "expect": {"s": {"outcome": "maybe"}})"),
                "$.expect.s.outcome", "expected \"completed\""},
        BadCase{"definition_named_main", wrap(R"({"main": {"params": [], "program": []}})", "[]"),
                "$.definitions.main", "host"},
        BadCase{"cancel_unknown_target", wrap("{}", R"([{"cancel": "ghost", "layer": "os"}])"),
                "$.main[0].cancel", "no component is spawned as"},
        BadCase{"cancel_bad_layer",
                wrap(putter_def, R"([{"channel": ["a", "b"]}, {"spawn": "p", "args": ["a"]},
                                   {"cancel": "p", "layer": "thread"}])"),
                "$.main[2].layer", "expected \"os\", \"component\" or \"round\""},
        BadCase{"cancel_without_layer",
                wrap(putter_def, R"([{"channel": ["a", "b"]}, {"spawn": "p", "args": ["a"]},
                                   {"cancel": "p"}])"),
                "$.main[2]", "\"layer\""},
        BadCase{"cancel_of_the_host", wrap("{}", R"([{"cancel": "main", "layer": "os"}])"),
                "$.main[0].cancel", "host cannot be cancelled"},
        BadCase{"component_cancel_by_a_non_supervisor",
                wrap(R"({"p": {"params": ["out"], "program": []},
                         "q": {"params": [], "program": [{"cancel": "p", "layer": "component"}]}})",
                     R"([{"channel": ["a", "b"]}, {"spawn": "p", "args": ["a"]},
                        {"spawn": "q", "args": []}])"),
                "$.definitions.q.program[0].cancel", "only the host or the supervisor"},
        BadCase{"fail_with_the_reserved_cancelled", wrap("{}", R"([{"fail": "Cancelled"}])"),
                "$.main[0].fail", "reserved"},
        // Issue 13: an arm without `then` was accepted silently.
        BadCase{"select_arm_without_then",
                wrap(R"({"s": {"params": ["in"],
                               "program": [{"sync": [{"select": [{"get": "in"}]}]}]}})",
                     R"([{"channel": ["a", "b"]}, {"spawn": "s", "args": ["b"]}])"),
                "$.definitions.s.program[0].sync[0].select[0]", "missing required key \"then\""}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) { return param_info.param.name; });

TEST(Loader, CompilesRepeatByUnrollingAndNamesInstances) {
    const auto scenario = pscenario::load_scenario_text(
        wrap(
            R"({"two": {"params": ["a", "b"], "program": []}})",
            R"([{"repeat": 3, "body": [{"channel": ["a", "b"]}, {"spawn": "two", "args": ["a", "b"], "as": "w"}]}])"),
        "ok.json");
    const auto& main = scenario->compiled->definitions[scenario->compiled->main_definition].program;
    EXPECT_EQ(main.code.size(), 6u);
    EXPECT_EQ(scenario->compiled->names, std::vector<std::string>{"w"});
}

TEST(Loader, BundledScenariosAllLoad) {
    for (const char* name : {"error-before-sync", "chain", "transfer-in-flight", "ring-1000"}) {
        const std::string path =
            std::string(PROTOCHECK_SOURCE_DIR) + "/scenarios/" + name + ".json";
        EXPECT_NO_THROW((void)pscenario::load_scenario_file(path)) << path;
    }
}

TEST(Loader, MissingFileIsAnInputError) {
    EXPECT_THROW((void)pscenario::load_scenario_file("/nonexistent/x.json"), pscenario::InputError);
}

}  // namespace
