package io.jqcow.tools.io;

/** sleep ms: pauses the script (lets aio requests progress meanwhile). */
final class SleepOp implements IoOperation {

    @Override
    public String name() {
        return "sleep";
    }

    @Override
    public String usage() {
        return "sleep -- waits for the given value in milliseconds";
    }

    @Override
    public int minArgs() {
        return 1;
    }

    @Override
    public int maxArgs() {
        return 1;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        String arg = args.operands().isEmpty() ? "" : args.operands().get(0);
        long ms;
        try {
            ms = Long.parseLong(arg.strip());
        } catch (NumberFormatException e) {
            throw new CommandFailed(arg + " is not a valid number");
        }
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CommandFailed.silent();
        }
    }
}
