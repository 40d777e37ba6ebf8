#include "pscenario/loader.hpp"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "pscenario/json_document.hpp"
#include "pscenario/limits.hpp"

namespace pscenario {

using nlohmann::json;
using pcore::CompiledScenario;
using pcore::Instruction;
using pcore::Op;
using pcore::PortKind;
using pcore::Program;
using pcore::Slot;

namespace {

constexpr const char* format_name = "protocheck-scenario/1";

const char* builtin_error_names[pcore::builtin_error::count] = {
    "PeerClosed", "InconsistentRound", "OutOfOrder",         "UnexpectedValue", "Crash",
    "Timeout",    "MessageFailed",     "WrongPortDirection", "Cancelled"};

std::string type_name(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return "an integer";
        case json::value_t::number_float:
            return "a number";
        case json::value_t::string:
            return "a string";
        case json::value_t::array:
            return "an array";
        case json::value_t::object:
            return "an object";
        default:
            return "something else";
    }
}

std::string quoted(const std::string& text) {
    return "\"" + text + "\"";
}

struct Variable {
    bool live = false;
    std::optional<PortKind> kind;
};

struct FunctionContext {
    std::string name;
    Program program;
    std::map<std::string, Slot> slots;
    std::vector<Variable> vars;
    bool in_sync = false;
    std::uint32_t depth = 0;    // blocks open around the statement being compiled
    std::uint32_t repeats = 0;  // repeats open around it
};

// Where a program stood before a body that is validated but never run (repeat 0): compiling it
// appends code and may add port names; rolling back removes both.
struct ProgramMark {
    std::size_t code = 0;
    std::size_t lists = 0;
    std::size_t selects = 0;
    std::size_t slots = 0;
    std::vector<Variable> vars;
    bool in_sync = false;
};

class Compiler {
  public:
    Compiler(std::string file, std::string prefix)
        : file_(std::move(file)), prefix_(std::move(prefix)) {}

    std::shared_ptr<pmodel::Scenario> compile(const json& root, const std::string& text) {
        const std::string root_path = prefix_;
        expect_object(root, root_path);
        const json& format = require(root, root_path, "format");
        if (!format.is_string() || format.get<std::string>() != format_name) {
            if (format.is_string() &&
                format.get<std::string>().rfind("protocheck-trace/", 0) == 0) {
                fail(root_path + ".format",
                     "this file is a trace (" + quoted(format.get<std::string>()) +
                         "), not a scenario: replay it with `protocheck replay`, or give the "
                         "scenario file");
            }
            if (format.is_string() &&
                format.get<std::string>().rfind("protocheck-scenario/", 0) == 0) {
                fail(root_path + ".format", "unsupported scenario version " +
                                                quoted(format.get<std::string>()) +
                                                ", this protocheck reads " + quoted(format_name));
            }
            fail(root_path + ".format",
                 std::string("expected ") + quoted(format_name) + ", found " + describe(format));
        }
        check_keys(
            root, root_path,
            {"format", "name", "description", "definitions", "main", "expect", "host_priority"});
        if (root.contains("name")) {
            expect_name(root["name"], root_path + ".name", "a scenario name");
            out_.name = root["name"].get<std::string>();
        }
        if (root.contains("description"))
            expect_string(root["description"], root_path + ".description");
        for (std::uint16_t index = 0; index < pcore::builtin_error::count; ++index) {
            error_index_[builtin_error_names[index]] = index;
            out_.error_types.emplace_back(builtin_error_names[index]);
        }
        const json& definitions = require(root, root_path, "definitions");
        expect_object(definitions, root_path + ".definitions");
        std::uint32_t index = 0;
        for (auto it = definitions.begin(); it != definitions.end(); ++it) {
            const std::string path = root_path + ".definitions." + it.key();
            if (def_order_.size() >= pscenario::limits::definitions) {
                fail(path, "more than " + std::to_string(pscenario::limits::definitions) +
                               " definitions (pscenario::limits::definitions)");
            }
            if (it.key().empty()) fail(path, "a definition needs a non-empty name");
            check_name_text(it.key(), path, "a definition name");
            if (it.key() == "main")
                fail(path, "\"main\" is the host's program; name the definition otherwise");
            expect_object(it.value(), path);
            check_keys(it.value(), path, {"params", "program", "description"});
            const json& params = require(it.value(), path, "params");
            expect_array(params, path + ".params");
            expect_list_size(params, path + ".params");
            std::set<std::string> seen;
            for (std::size_t param = 0; param < params.size(); ++param) {
                const std::string param_path = path + ".params[" + std::to_string(param) + "]";
                expect_name(params[param], param_path, "a port name");
                if (!seen.insert(params[param].get<std::string>()).second) {
                    fail(param_path, "parameter " + quoted(params[param].get<std::string>()) +
                                         " appears twice");
                }
            }
            expect_array(require(it.value(), path, "program"), path + ".program");
            def_index_[it.key()] = index++;
            def_order_.push_back(it.key());
            param_kinds_.emplace_back(params.size());
        }
        out_.definitions.resize(def_order_.size() + 1);
        out_.main_definition = static_cast<std::uint32_t>(def_order_.size());
        const json& main = require(root, root_path, "main");
        expect_array(main, root_path + ".main");
        compiled_.assign(def_order_.size(), false);

        // The host first; definitions as they are first spawned, so that parameter directions
        // are known from the spawn site; then any definition never spawned (still validated).
        compile_function(out_.main_definition, "main", json::array(), main, root_path + ".main");
        while (!worklist_.empty()) {
            const std::uint32_t next = worklist_.front();
            worklist_.erase(worklist_.begin());
            compile_definition(definitions, next);
        }
        for (std::uint32_t def = 0; def < def_order_.size(); ++def) {
            if (!compiled_[def]) compile_definition(definitions, def);
        }
        check_cancels();
        check_component_count();
        auto scenario = std::make_shared<pmodel::Scenario>();
        if (root.contains("expect"))
            compile_expect(root["expect"], root_path + ".expect", *scenario);
        if (root.contains("host_priority")) {
            const json& priority = root["host_priority"];
            if (!priority.is_boolean()) {
                fail(root_path + ".host_priority",
                     "expected true or false, found " + describe(priority));
            }
            scenario->host_priority = priority.get<bool>();
        }
        scenario->compiled = std::make_shared<const CompiledScenario>(std::move(out_));
        scenario->source_text = text;
        scenario->path = file_;
        return scenario;
    }

  private:
    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(file_, path, message);
    }

    static std::string describe(const json& value) {
        if (value.is_string()) return quoted(value.get<std::string>());
        return type_name(value);
    }

    void expect_object(const json& value, const std::string& path) const {
        if (!value.is_object()) fail(path, "expected an object, found " + type_name(value));
    }
    void expect_array(const json& value, const std::string& path) const {
        if (!value.is_array()) fail(path, "expected an array, found " + type_name(value));
    }
    void expect_string(const json& value, const std::string& path) const {
        if (!value.is_string()) fail(path, "expected a string, found " + type_name(value));
    }
    void expect_name(const json& value, const std::string& path, const std::string& what) const {
        if (!value.is_string() || value.get<std::string>().empty()) {
            fail(path, "expected " + what + " (a non-empty string), found " + describe(value));
        }
        check_name_text(value.get<std::string>(), path, what);
    }
    // Names reach messages, traces and pictures: printable, and of a readable length.
    void check_name_text(const std::string& name,
                         const std::string& path,
                         const std::string& what) const {
        if (name.size() > pscenario::limits::name_length) {
            fail(path, "expected " + what + " of at most " +
                           std::to_string(pscenario::limits::name_length) + " characters, found " +
                           std::to_string(name.size()) + " (pscenario::limits::name_length)");
        }
        for (const char c : name) {
            const auto code = static_cast<unsigned char>(c);
            if (code < 0x20 || code == 0x7f) {
                fail(path, "expected " + what + " without control characters, found character " +
                               std::to_string(code) + " in it");
            }
        }
    }
    void expect_list_size(const json& list, const std::string& path) const {
        if (list.size() > pscenario::limits::ports_in_list) {
            fail(path, "expected at most " + std::to_string(pscenario::limits::ports_in_list) +
                           " ports in one list, found " + std::to_string(list.size()) +
                           " (pscenario::limits::ports_in_list)");
        }
    }
    // A whole number that fits in 64 signed bits; JSON has no such limit, so say which it is.
    std::int64_t expect_integer(const json& value, const std::string& path) const {
        const std::string range = "an integer from -9223372036854775808 to 9223372036854775807";
        if (value.is_number_unsigned()) {
            if (value.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
                return static_cast<std::int64_t>(value.get<std::uint64_t>());
            }
            fail(path, "expected " + range + ", found " + value.dump() + " (too large)");
        }
        if (value.is_number_integer()) return value.get<std::int64_t>();
        if (value.is_number_float()) {
            fail(path, "expected " + range + ", found " + value.dump() +
                           " (a fraction, an exponent, or out of range)");
        }
        fail(path, "expected " + range + ", found " + type_name(value));
    }
    const json& require(const json& object, const std::string& path, const char* key) const {
        if (!object.contains(key)) fail(path, std::string("missing required key \"") + key + "\"");
        return object[key];
    }
    void check_keys(const json& object,
                    const std::string& path,
                    std::initializer_list<const char*> allowed) const {
        check_known_keys(object, file_, path, allowed);
    }

    void compile_definition(const json& definitions, std::uint32_t def) {
        compiled_[def] = true;
        const std::string& name = def_order_[def];
        const json& body = definitions[name];
        compile_function(def, name, body["params"], body["program"],
                         prefix_ + ".definitions." + name + ".program");
    }

    void compile_function(std::uint32_t def,
                          const std::string& name,
                          const json& params,
                          const json& program,
                          const std::string& path) {
        FunctionContext context;
        context.name = name;
        for (std::size_t index = 0; index < params.size(); ++index) {
            const Slot slot = new_slot(context, params[index].get<std::string>(), path);
            context.vars[slot].live = true;
            context.vars[slot].kind = param_kinds_[def][index];
        }
        context.program.param_count = static_cast<Slot>(params.size());
        compile_block(context, program, path);
        context.program.slot_count = static_cast<Slot>(context.vars.size());
        out_.definitions[def].name = name;
        out_.definitions[def].program = std::move(context.program);
    }

    Slot new_slot(FunctionContext& context, const std::string& name, const std::string& path) {
        auto it = context.slots.find(name);
        if (it != context.slots.end()) return it->second;
        if (context.vars.size() >= pscenario::limits::port_names) {
            fail(path, "more than " + std::to_string(pscenario::limits::port_names) +
                           " distinct port names in " + context.name +
                           " (pscenario::limits::port_names)");
        }
        const Slot slot = static_cast<Slot>(context.vars.size());
        context.slots[name] = slot;
        context.vars.emplace_back();
        context.program.slot_names.push_back(name);
        return slot;
    }

    // A port variable that must hold a port now.
    Slot live_port(FunctionContext& context, const json& value, const std::string& path) {
        expect_name(value, path, "a port name");
        const std::string name = value.get<std::string>();
        auto it = context.slots.find(name);
        if (it == context.slots.end()) {
            fail(path, "unknown port " + quoted(name) + " in " + context.name);
        }
        if (!context.vars[it->second].live) {
            fail(path,
                 "port " + quoted(name) +
                     " was already given away (spawn or put ... ports) and cannot be used again");
        }
        return it->second;
    }

    // A port variable about to receive a new port.
    Slot fresh_port(FunctionContext& context, const json& value, const std::string& path) {
        expect_name(value, path, "a port name");
        const std::string name = value.get<std::string>();
        auto it = context.slots.find(name);
        if (it != context.slots.end() && context.vars[it->second].live) {
            fail(path, "port name " + quoted(name) + " is still in use in " + context.name);
        }
        return new_slot(context, name, path);
    }

    void emit(FunctionContext& context,
              Instruction instruction,
              const std::string& path,
              std::string label) {
        if (context.program.code.size() >= pscenario::limits::program_statements) {
            fail(path, "the program of " + context.name + " grows past " +
                           std::to_string(pscenario::limits::program_statements) + " statements" +
                           (context.repeats > 0 ? " once repeats are unrolled" : "") +
                           " (pscenario::limits::program_statements)");
        }
        instruction.json_index = static_cast<std::uint32_t>(context.program.json_paths.size());
        context.program.code.push_back(instruction);
        context.program.json_paths.push_back(path);
        context.program.labels.push_back(std::move(label));
    }

    std::uint32_t add_list(FunctionContext& context, std::vector<Slot> list) {
        context.program.lists.push_back(std::move(list));
        return static_cast<std::uint32_t>(context.program.lists.size() - 1);
    }

    void compile_block(FunctionContext& context, const json& block, const std::string& path) {
        if (context.depth >= pscenario::limits::block_depth) {
            fail(shortened_path(path), "blocks (sync, repeat, select arms) nest deeper than " +
                                           std::to_string(pscenario::limits::block_depth) +
                                           " levels (pscenario::limits::block_depth)");
        }
        ++context.depth;
        for (std::size_t index = 0; index < block.size(); ++index) {
            compile_statement(context, block[index], path + "[" + std::to_string(index) + "]");
        }
        --context.depth;
    }

    void compile_repeat(FunctionContext& context, const json& statement, const std::string& path) {
        check_keys(statement, path, {"repeat", "body"});
        const std::string key_path = path + ".repeat";
        const std::int64_t count = expect_integer(statement["repeat"], key_path);
        if (count < 0 || count > pscenario::limits::repeat_count) {
            fail(key_path, "expected a count from 0 to " +
                               std::to_string(pscenario::limits::repeat_count) + ", found " +
                               std::to_string(count) + " (pscenario::limits::repeat_count)");
        }
        const json& body = require(statement, path, "body");
        expect_array(body, path + ".body");
        ++context.repeats;
        if (count == 0) {
            validate_unrun(context, body, path + ".body");
        } else {
            const std::size_t before = context.program.code.size();
            const std::uint64_t compiled_before = statements_compiled_;
            compile_block(context, body, path + ".body");
            const std::size_t once = context.program.code.size() - before;
            const std::uint64_t walked = statements_compiled_ - compiled_before;
            const std::uint64_t budget =
                pscenario::limits::statements_compiled -
                std::min(statements_compiled_, pscenario::limits::statements_compiled);
            if (once > 0 && walked > 0 && static_cast<std::uint64_t>(count - 1) > budget / walked) {
                fail(key_path,
                     "repeat " + std::to_string(count) + " of a body of " + std::to_string(walked) +
                         " statement(s) takes more than " +
                         std::to_string(pscenario::limits::statements_compiled) +
                         " statements to compile (pscenario::limits::statements_compiled)");
            }
            // A body that compiles to nothing (empty, or repeats of nothing) is done: repeating
            // it changes nothing, however large the count.
            if (once > 0) {
                const auto remaining = static_cast<std::uint64_t>(count - 1);
                if (remaining > (pscenario::limits::program_statements - before) / once) {
                    fail(key_path, "repeat " + std::to_string(count) + " of a body of " +
                                       std::to_string(once) +
                                       " statement(s) makes the program of " + context.name +
                                       " longer than " +
                                       std::to_string(pscenario::limits::program_statements) +
                                       " statements (pscenario::limits::program_statements)");
                }
                for (std::uint64_t round = 0; round < remaining; ++round) {
                    compile_block(context, body, path + ".body");
                }
            }
        }
        --context.repeats;
    }

    // A body that never runs (repeat 0) is still checked, once per body however often its
    // repeat is unrolled, and leaves the program as it was.
    void validate_unrun(FunctionContext& context, const json& body, const std::string& path) {
        if (!validated_unrun_.insert(&body).second) return;
        // Port names are marked by slot_names, not vars: a select's arms share names but not
        // variables, so the two can differ in length.
        ProgramMark mark{context.program.code.size(),
                         context.program.lists.size(),
                         context.program.select_branches.size(),
                         context.program.slot_names.size(),
                         context.vars,
                         context.in_sync};
        compile_block(context, body, path);
        Program& program = context.program;
        for (std::size_t slot = mark.slots; slot < program.slot_names.size(); ++slot) {
            context.slots.erase(program.slot_names[slot]);
        }
        program.slot_names.resize(mark.slots);
        program.code.resize(mark.code);
        program.json_paths.resize(mark.code);
        program.labels.resize(mark.code);
        program.lists.resize(mark.lists);
        program.select_branches.resize(mark.selects);
        context.vars = std::move(mark.vars);
        context.in_sync = mark.in_sync;
    }

    void require_sync(const FunctionContext& context,
                      const std::string& path,
                      const char* what) const {
        if (!context.in_sync)
            fail(path, std::string(what) + " is only allowed inside a sync block");
    }

    void require_kind(const FunctionContext& context,
                      Slot slot,
                      PortKind kind,
                      const std::string& path,
                      const char* what) const {
        const auto& known = context.vars[slot].kind;
        if (known && *known != kind) {
            fail(path, std::string(what) + " needs the " +
                           (kind == PortKind::putter ? "putter" : "getter") + " end, but " +
                           quoted(context.program.slot_names[slot]) + " is the " +
                           (kind == PortKind::putter ? "getter" : "putter") + " end");
        }
    }

    void compile_statement(FunctionContext& context,
                           const json& statement,
                           const std::string& path) {
        // Every statement compiled costs, whether it emits anything or not: a repeat of bodies
        // that emit little but hold many statements must still end soon.
        if (++statements_compiled_ > pscenario::limits::statements_compiled) {
            fail(shortened_path(path), "compiling the scenario takes more than " +
                                           std::to_string(pscenario::limits::statements_compiled) +
                                           " statements once repeats are unrolled "
                                           "(pscenario::limits::statements_compiled)");
        }
        expect_object(statement, path);
        static const char* keywords[] = {"channel", "spawn",  "sync", "put",    "get",
                                         "select",  "repeat", "fail", "cancel", "exit"};
        const char* keyword = nullptr;
        for (const char* candidate : keywords) {
            if (statement.contains(candidate)) {
                if (keyword != nullptr) {
                    fail(path,
                         std::string("a statement has exactly one of channel, spawn, sync, put, "
                                     "get, select, repeat, fail, cancel, exit; found both \"") +
                             keyword + "\" and \"" + candidate + "\"");
                }
                keyword = candidate;
            }
        }
        if (keyword == nullptr) {
            fail(path,
                 "expected a statement (one of channel, spawn, sync, put, get, select, repeat, "
                 "fail, cancel, exit)");
        }
        const std::string kw(keyword);
        const std::string key_path = path + "." + kw;
        if (kw == "channel") {
            check_keys(statement, path, {"channel"});
            const json& ends = statement["channel"];
            if (!ends.is_array() || ends.size() != 2) {
                fail(key_path, "expected [PUTTER, GETTER], two port names");
            }
            const Slot putter = fresh_port(context, ends[0], key_path + "[0]");
            if (ends[0] == ends[1]) fail(key_path + "[1]", "the two ends need different names");
            const Slot getter = fresh_port(context, ends[1], key_path + "[1]");
            context.vars[putter] = Variable{true, PortKind::putter};
            context.vars[getter] = Variable{true, PortKind::getter};
            Instruction instruction;
            instruction.op = Op::channel;
            instruction.slot_a = putter;
            instruction.slot_b = getter;
            emit(context, instruction, path,
                 "channel " + ends[0].get<std::string>() + " " + ends[1].get<std::string>());
        } else if (kw == "spawn") {
            compile_spawn(context, statement, path);
        } else if (kw == "sync") {
            check_keys(statement, path, {"sync"});
            if (context.in_sync) fail(key_path, "sync blocks cannot be nested");
            expect_array(statement["sync"], key_path);
            Instruction begin;
            begin.op = Op::sync_begin;
            emit(context, begin, path, "sync {");
            context.in_sync = true;
            compile_block(context, statement["sync"], key_path);
            context.in_sync = false;
            Instruction end;
            end.op = Op::sync_end;
            emit(context, end, path, "} end of sync");
        } else if (kw == "put") {
            require_sync(context, path, "put");
            const Slot port = live_port(context, statement["put"], key_path);
            require_kind(context, port, PortKind::putter, key_path, "put");
            const std::string port_name = statement["put"].get<std::string>();
            if (statement.contains("value") == statement.contains("ports")) {
                fail(path, "put takes exactly one of \"value\" (an integer) or \"ports\" (a list)");
            }
            Instruction instruction;
            instruction.slot_a = port;
            if (statement.contains("value")) {
                check_keys(statement, path, {"put", "value"});
                instruction.op = Op::put_value;
                instruction.value = expect_integer(statement["value"], path + ".value");
                emit(context, instruction, path,
                     "put " + port_name + " " + std::to_string(instruction.value));
            } else {
                check_keys(statement, path, {"put", "ports"});
                const json& ports = statement["ports"];
                expect_array(ports, path + ".ports");
                if (ports.empty()) fail(path + ".ports", "expected at least one port to send");
                expect_list_size(ports, path + ".ports");
                std::vector<Slot> list;
                std::string label = "put " + port_name + " ports";
                for (std::size_t index = 0; index < ports.size(); ++index) {
                    const std::string item = path + ".ports[" + std::to_string(index) + "]";
                    const Slot sent = live_port(context, ports[index], item);
                    if (sent == port) fail(item, "a port cannot be sent over itself");
                    if (std::find(list.begin(), list.end(), sent) != list.end()) {
                        fail(item,
                             "port " + quoted(ports[index].get<std::string>()) + " is used twice");
                    }
                    list.push_back(sent);
                    label += " " + ports[index].get<std::string>();
                }
                for (Slot sent : list) context.vars[sent].live = false;
                instruction.op = Op::put_ports;
                instruction.list = add_list(context, std::move(list));
                emit(context, instruction, path, label);
            }
        } else if (kw == "get") {
            compile_get(context, statement, path);
        } else if (kw == "select") {
            compile_select(context, statement, path);
        } else if (kw == "repeat") {
            compile_repeat(context, statement, path);
        } else if (kw == "fail") {
            check_keys(statement, path, {"fail"});
            expect_name(statement["fail"], key_path, "an error type name");
            if (statement["fail"].get<std::string>() == "Cancelled") {
                fail(key_path, "\"Cancelled\" is reserved for cancellations; use cancel");
            }
            Instruction instruction;
            instruction.op = Op::fail;
            instruction.error = error_type(statement["fail"].get<std::string>(), key_path);
            emit(context, instruction, path, "fail " + statement["fail"].get<std::string>());
        } else if (kw == "cancel") {
            check_keys(statement, path, {"cancel", "layer"});
            expect_name(statement["cancel"], key_path, "an instance name");
            Instruction instruction;
            instruction.op = Op::cancel;
            instruction.layer = cancel_layer(require(statement, path, "layer"), path + ".layer");
            const std::string layer = pcore::layer_name(instruction.layer);
            const std::string target = statement["cancel"].get<std::string>();
            if (target == "main") fail(key_path, "the host cannot be cancelled by a statement");
            instruction.name = instance_name(target);
            cancels_.push_back(PendingCancel{key_path, target, instruction.layer, context.name});
            emit(context, instruction, path, "cancel " + target + " (" + layer + ")");
        } else {
            check_keys(statement, path, {"exit"});
            if (!statement["exit"].is_object() || !statement["exit"].empty()) {
                fail(key_path, "expected {} (exit takes no arguments), found " +
                                   type_name(statement["exit"]));
            }
            if (context.in_sync) fail(key_path, "exit is not allowed inside a sync block");
            Instruction instruction;
            instruction.op = Op::exit;
            emit(context, instruction, path, "exit");
        }
    }

    void compile_spawn(FunctionContext& context, const json& statement, const std::string& path) {
        check_keys(statement, path, {"spawn", "args", "as"});
        if (context.in_sync) fail(path + ".spawn", "spawn is not allowed inside a sync block");
        expect_name(statement["spawn"], path + ".spawn", "a definition name");
        const std::string callee = statement["spawn"].get<std::string>();
        auto def = def_index_.find(callee);
        if (def == def_index_.end()) {
            std::string known;
            for (const auto& name : def_order_) known += (known.empty() ? "" : ", ") + name;
            fail(path + ".spawn", "unknown definition " + quoted(callee) +
                                      (known.empty() ? "" : " (known: " + known + ")"));
        }
        std::string instance = callee;
        if (statement.contains("as")) {
            expect_name(statement["as"], path + ".as", "an instance name");
            instance = statement["as"].get<std::string>();
            if (instance == "main" || instance.find('#') != std::string::npos) {
                fail(path + ".as", "instance names cannot be \"main\" or contain '#'");
            }
        }
        const json empty = json::array();
        const json& args = statement.contains("args") ? statement["args"] : empty;
        expect_array(args, path + ".args");
        const std::size_t expected = param_kinds_[def->second].size();
        if (args.size() != expected) {
            fail(path + ".args", "definition " + quoted(callee) + " takes " +
                                     std::to_string(expected) + " port(s), found " +
                                     std::to_string(args.size()));
        }
        spawners_[instance].insert(context.name);
        std::vector<Slot> list;
        std::string label = "spawn " + callee + " as " + instance;
        for (std::size_t index = 0; index < args.size(); ++index) {
            const std::string item = path + ".args[" + std::to_string(index) + "]";
            const Slot slot = live_port(context, args[index], item);
            if (std::find(list.begin(), list.end(), slot) != list.end()) {
                fail(item, "port " + quoted(args[index].get<std::string>()) + " is used twice");
            }
            list.push_back(slot);
            label += " " + args[index].get<std::string>();
            const auto& kind = context.vars[slot].kind;
            auto& param = param_kinds_[def->second][index];
            if (kind) {
                if (param && *param != *kind) {
                    fail(item, "parameter " + std::to_string(index) + " of " + quoted(callee) +
                                   " receives a putter at one spawn and a getter at another");
                }
                param = kind;
            }
        }
        for (Slot slot : list) context.vars[slot].live = false;
        if (!compiled_[def->second] &&
            std::find(worklist_.begin(), worklist_.end(), def->second) == worklist_.end()) {
            worklist_.push_back(def->second);
        }
        Instruction instruction;
        instruction.op = Op::spawn;
        instruction.definition = def->second;
        instruction.list = add_list(context, std::move(list));
        instruction.name = instance_name(instance);
        emit(context, instruction, path, label);
    }

    void compile_get(FunctionContext& context, const json& statement, const std::string& path) {
        require_sync(context, path, "get");
        check_keys(statement, path, {"get", "bind", "expect"});
        const Slot port = live_port(context, statement["get"], path + ".get");
        require_kind(context, port, PortKind::getter, path + ".get", "get");
        if (statement.contains("bind") && statement.contains("expect")) {
            fail(path, "get takes at most one of \"bind\" and \"expect\"");
        }
        Instruction instruction;
        instruction.op = Op::get;
        instruction.slot_a = port;
        instruction.list = pcore::no_list;
        std::string label = "get " + statement["get"].get<std::string>();
        if (statement.contains("expect")) {
            instruction.expects = true;
            instruction.value = expect_integer(statement["expect"], path + ".expect");
            label += " expect " + std::to_string(instruction.value);
        }
        if (statement.contains("bind")) {
            const json& binds = statement["bind"];
            expect_array(binds, path + ".bind");
            expect_list_size(binds, path + ".bind");
            std::vector<Slot> list;
            for (std::size_t index = 0; index < binds.size(); ++index) {
                const std::string item = path + ".bind[" + std::to_string(index) + "]";
                const Slot slot = fresh_port(context, binds[index], item);
                if (slot == port || std::find(list.begin(), list.end(), slot) != list.end()) {
                    fail(item,
                         "port name " + quoted(binds[index].get<std::string>()) + " is used twice");
                }
                list.push_back(slot);
                label += " bind " + binds[index].get<std::string>();
            }
            for (Slot slot : list) context.vars[slot] = Variable{true, std::nullopt};
            instruction.list = add_list(context, std::move(list));
        }
        emit(context, instruction, path, label);
    }

    void compile_select(FunctionContext& context, const json& statement, const std::string& path) {
        require_sync(context, path, "select");
        check_keys(statement, path, {"select"});
        const json& branches = statement["select"];
        expect_array(branches, path + ".select");
        if (branches.empty()) fail(path + ".select", "expected at least one branch");
        Instruction instruction;
        instruction.op = Op::select;
        instruction.list = static_cast<std::uint32_t>(context.program.select_branches.size());
        context.program.select_branches.emplace_back();
        std::vector<pcore::SelectBranch> table;
        std::string label = "select";
        for (std::size_t index = 0; index < branches.size(); ++index) {
            const std::string item = path + ".select[" + std::to_string(index) + "]";
            expect_object(branches[index], item);
            check_keys(branches[index], item, {"get", "then"});
            // Contract §4: every arm says what follows it (an empty list when nothing does).
            (void)require(branches[index], item, "then");
            const Slot port =
                live_port(context, require(branches[index], item, "get"), item + ".get");
            require_kind(context, port, PortKind::getter, item + ".get", "select");
            for (const auto& other : table) {
                if (other.port == port) fail(item + ".get", "port used by two branches");
            }
            table.push_back(pcore::SelectBranch{port, 0});
            label += " " + branches[index]["get"].get<std::string>();
        }
        const std::size_t select_at = context.program.code.size();
        emit(context, instruction, path, label);
        std::vector<std::size_t> jumps;
        std::optional<std::vector<Variable>> merged;
        const std::vector<Variable> entry = context.vars;
        for (std::size_t index = 0; index < branches.size(); ++index) {
            const std::string item = path + ".select[" + std::to_string(index) + "]";
            context.vars = entry;
            table[index].target = static_cast<std::uint32_t>(context.program.code.size());
            expect_array(branches[index]["then"], item + ".then");
            compile_block(context, branches[index]["then"], item + ".then");
            jumps.push_back(context.program.code.size());
            Instruction jump;
            jump.op = Op::jump;
            emit(context, jump, item, "end of select branch");
            if (!merged) {
                merged = context.vars;
            } else {
                // After the select a port is usable only if every branch left it usable.
                merged->resize(std::max(merged->size(), context.vars.size()));
                for (std::size_t slot = 0; slot < merged->size(); ++slot) {
                    const bool live = slot < context.vars.size() && context.vars[slot].live;
                    (*merged)[slot].live = (*merged)[slot].live && live;
                }
            }
        }
        context.vars = *merged;
        const auto end = static_cast<std::uint32_t>(context.program.code.size());
        for (std::size_t at : jumps) context.program.code[at].target = end;
        (void)select_at;
        context.program.select_branches[instruction.list] = std::move(table);
    }

    pcore::ErrorType error_type(const std::string& name, const std::string& path) {
        auto it = error_index_.find(name);
        if (it != error_index_.end()) return pcore::ErrorType(it->second);
        if (out_.error_types.size() >= pscenario::limits::error_types) {
            fail(path, "more than " + std::to_string(pscenario::limits::error_types) +
                           " distinct error types (pscenario::limits::error_types)");
        }
        const auto index = static_cast<std::uint16_t>(out_.error_types.size());
        error_index_[name] = index;
        out_.error_types.push_back(name);
        return pcore::ErrorType(index);
    }

    std::uint32_t instance_name(const std::string& name) {
        const auto [at, added] =
            name_index_.emplace(name, static_cast<std::uint32_t>(out_.names.size()));
        if (added) out_.names.push_back(name);
        return at->second;
    }

    bool known_instance(const std::string& name) const {
        if (name == "main") return true;
        const std::string base = name.substr(0, name.find('#'));
        if (base.size() != name.size()) {
            const std::string suffix = name.substr(base.size() + 1);
            if (suffix.empty() || suffix.find_first_not_of("0123456789") != std::string::npos ||
                suffix == "0" || suffix == "1") {
                return false;
            }
        }
        return name_index_.count(base) != 0;
    }

    void compile_expect(const json& expect, const std::string& path, pmodel::Scenario& scenario) {
        expect_object(expect, path);
        for (auto it = expect.begin(); it != expect.end(); ++it) {
            const std::string item = path + "." + it.key();
            if (!known_instance(it.key())) {
                fail(item, "no component is spawned as " + quoted(it.key()));
            }
            pmodel::Expectation expectation;
            expectation.name = it.key();
            const json& value = it.value();
            if (value.is_string() && value.get<std::string>() == "any") {
                expectation.any = true;
                scenario.expect.push_back(std::move(expectation));
                continue;
            }
            if (!value.is_object())
                fail(item, "expected \"any\" or an object, found " + describe(value));
            check_keys(value, item, {"outcome", "error", "origin", "relay", "canceller", "layer"});
            const json& outcome = require(value, item, "outcome");
            const std::string outcome_name = outcome.is_string() ? outcome.get<std::string>() : "";
            if (outcome_name == "completed") {
                expectation.outcome = pcore::OutcomeKind::completed;
            } else if (outcome_name == "failed") {
                expectation.outcome = pcore::OutcomeKind::failed;
            } else if (outcome_name == "cancelled") {
                expectation.outcome = pcore::OutcomeKind::cancelled;
            } else {
                fail(item + ".outcome",
                     "expected \"completed\", \"failed\" or \"cancelled\", found " +
                         describe(outcome));
            }
            const bool failed = expectation.outcome == pcore::OutcomeKind::failed;
            const bool cancelled = expectation.outcome == pcore::OutcomeKind::cancelled;
            if (value.contains("error")) {
                if (!failed) fail(item + ".error", "\"error\" goes with outcome \"failed\"");
                expect_name(value["error"], item + ".error", "an error type name");
                const std::string error = value["error"].get<std::string>();
                if (error_index_.find(error) == error_index_.end()) {
                    fail(item + ".error",
                         "error type " + quoted(error) + " is never raised in this scenario");
                }
                expectation.error = error;
            }
            if (value.contains("origin")) {
                if (!failed) fail(item + ".origin", "\"origin\" goes with outcome \"failed\"");
                expect_name(value["origin"], item + ".origin", "a component name");
                if (!known_instance(value["origin"].get<std::string>())) {
                    fail(item + ".origin",
                         "no component is spawned as " + describe(value["origin"]));
                }
                expectation.origin = value["origin"].get<std::string>();
            }
            if (value.contains("relay")) {
                if (!failed) fail(item + ".relay", "\"relay\" goes with outcome \"failed\"");
                expect_array(value["relay"], item + ".relay");
                std::vector<std::string> relay;
                for (std::size_t index = 0; index < value["relay"].size(); ++index) {
                    const std::string hop = item + ".relay[" + std::to_string(index) + "]";
                    expect_name(value["relay"][index], hop, "a component name");
                    if (!known_instance(value["relay"][index].get<std::string>())) {
                        fail(hop, "no component is spawned as " + describe(value["relay"][index]));
                    }
                    relay.push_back(value["relay"][index].get<std::string>());
                }
                expectation.relay = relay;
            }
            if (value.contains("canceller")) {
                if (!cancelled)
                    fail(item + ".canceller", "\"canceller\" goes with outcome \"cancelled\"");
                expect_name(value["canceller"], item + ".canceller", "a component name");
                expectation.canceller = value["canceller"].get<std::string>();
            }
            if (value.contains("layer")) {
                if (!cancelled) fail(item + ".layer", "\"layer\" goes with outcome \"cancelled\"");
                const std::string layer =
                    pcore::layer_name(cancel_layer(value["layer"], item + ".layer"));
                expectation.layer = layer;
            }
            scenario.expect.push_back(std::move(expectation));
        }
    }

    pcore::CancelLayer cancel_layer(const json& value, const std::string& path) const {
        const std::string name = value.is_string() ? value.get<std::string>() : "";
        for (auto layer :
             {pcore::CancelLayer::os, pcore::CancelLayer::component, pcore::CancelLayer::round}) {
            if (name == pcore::layer_name(layer)) return layer;
        }
        fail(path, "expected \"os\", \"component\" or \"round\", found " + describe(value));
    }

    // A cancel names an instance spawned somewhere; os and component cancels come from the host
    // or the target's supervisor (the definition that spawns it), contract §4.
    void check_cancels() const {
        for (const PendingCancel& cancel : cancels_) {
            auto spawned = spawners_.find(cancel.target);
            if (spawned == spawners_.end()) {
                fail(cancel.path, "no component is spawned as " + quoted(cancel.target));
            }
            if (cancel.layer != pcore::CancelLayer::round && cancel.issuer != "main" &&
                spawned->second.count(cancel.issuer) == 0) {
                fail(cancel.path, "only the host or the supervisor of " + quoted(cancel.target) +
                                      " may cancel it at the os or component layer; " +
                                      quoted(cancel.issuer) +
                                      " does not spawn it (use layer \"round\" for a peer)");
            }
        }
    }

    // Components are never freed into ids that can be reused, and every step looks at each of
    // them: a scenario that could spawn without end (a definition that spawns itself, directly
    // or not) or more than limits::components would make runs crawl or never end. Counted from
    // the host's program down the spawn graph, which must be acyclic.
    void check_component_count() const {
        const std::size_t defs = out_.definitions.size();
        std::vector<std::uint64_t> count(defs, 0);  // components a definition's instance makes
        std::vector<std::uint8_t> state(defs, 0);   // 0 new, 1 on the path, 2 counted
        std::vector<std::string> path;
        const std::uint64_t limit = pscenario::limits::components;
        std::function<std::uint64_t(std::uint32_t)> visit = [&](std::uint32_t def) {
            if (state[def] == 2) return count[def];
            const std::string& name = out_.definitions[def].name;
            path.push_back(name);
            if (state[def] == 1) {
                std::string cycle;
                for (const std::string& step : path) cycle += (cycle.empty() ? "" : " -> ") + step;
                fail(prefix_ + ".definitions." + name,
                     "a component of " + quoted(name) + " spawns one of its own kind (" + cycle +
                         "): the number of components would have no bound; unroll it with "
                         "repeat instead");
            }
            state[def] = 1;
            std::uint64_t total = 1;
            for (const Instruction& instruction : out_.definitions[def].program.code) {
                if (instruction.op != Op::spawn) continue;
                total = std::min(limit + 1, total + visit(instruction.definition));
            }
            state[def] = 2;
            path.pop_back();
            count[def] = total;
            return total;
        };
        if (visit(out_.main_definition) > limit) {
            fail(prefix_ + ".main", "the scenario spawns more than " + std::to_string(limit) +
                                        " components, the host and its descendants counted "
                                        "(pscenario::limits::components)");
        }
    }

    struct PendingCancel {
        std::string path;
        std::string target;
        pcore::CancelLayer layer = pcore::CancelLayer::component;
        std::string issuer;  // the definition the statement is in
    };
    std::vector<PendingCancel> cancels_;
    std::map<std::string, std::set<std::string>> spawners_;

    std::string file_;
    std::string prefix_;
    CompiledScenario out_;
    std::map<std::string, std::uint32_t> def_index_;
    std::vector<std::string> def_order_;
    std::vector<std::vector<std::optional<PortKind>>> param_kinds_;
    std::vector<bool> compiled_;
    std::vector<std::uint32_t> worklist_;
    std::map<std::string, std::uint16_t> error_index_;
    std::map<std::string, std::uint32_t> name_index_;  // out_.names, for lookups by name
    std::set<const json*> validated_unrun_;
    std::uint64_t statements_compiled_ = 0;
};

}  // namespace

std::shared_ptr<const pmodel::Scenario> load_scenario_text(const std::string& text,
                                                           const std::string& origin,
                                                           const std::string& path_prefix) {
    const json root = parse_document(text, origin, path_prefix);
    Compiler compiler(origin, path_prefix);
    return compiler.compile(root, text);
}

std::shared_ptr<const pmodel::Scenario> load_scenario_file(const std::string& path) {
    const std::string text = read_file(path);
    return load_scenario_text(text, path);
}

}  // namespace pscenario
