// main.cpp — `lenet5`, the command-line face of the LeNet-5 engine: dispatch to the subcommands of
// commands.h and turn errors into one clear line and an exit status (0 ok, 1 bad input/failure,
// 2 usage).
#include "commands.h"

#include <lenet/lenet.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    CLI::App app{"lenet5 — LeNet-5 (LeCun et al. 1998) engine: inspect architectures, train, evaluate, "
                 "classify and convert weights",
                 "lenet5"};
    app.set_version_flag("--version", std::string("lenet5 ") + lenet::kVersion);
    app.require_subcommand(1);
    app.fallthrough(false);

    register_summary(app);
    register_train(app);
    register_eval(app);
    register_classify(app);
    register_convert(app);
    register_bench(app);
    register_top_digits(app);
    register_gradient(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::RuntimeError& e) {  // a command chose its exit status
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        app.exit(e);  // prints the message and the hint to use --help
        return 2;
    } catch (const lenet::Error& e) {
        std::fprintf(stderr, "lenet5: error: %s\n", e.what());
        return e.kind() == lenet::ErrorKind::Usage ? 2 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lenet5: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
