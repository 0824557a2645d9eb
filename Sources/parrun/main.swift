import ParrunCLI
import ParrunPlatform

#if canImport(Glibc)
import Glibc
#endif

exit(ParrunCommand.main(arguments: Array(CommandLine.arguments.dropFirst()), environment: Environment.current()))
