#if canImport(Glibc)
import Glibc
#endif

/// Standard input, output and error, made sure of before anything is opened.
public enum StandardDescriptors {
    /// Opens /dev/null on whichever of descriptors 0, 1 and 2 is closed
    /// (`parrun <&-`, `parrun >&-`). Otherwise the journal or a ticket's pipe
    /// could be given number 1, and what parrun prints would go into it, or a
    /// child given that pipe as standard input would lose it as its output.
    public static func reserve() {
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) < 0 && errno == EBADF {
            // open takes the lowest free number: this one, since those below are open.
            let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != descriptor { close(opened) }
        }
    }
}
