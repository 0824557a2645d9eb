import ParrunCLI
import ParrunPlatform

#if canImport(Glibc)
import Glibc
#endif

// Before anything is opened: no file of parrun's may become standard output.
StandardDescriptors.reserve()
exit(ParrunCommand.main(arguments: Array(CommandLine.arguments.dropFirst()), environment: Environment.current()))
