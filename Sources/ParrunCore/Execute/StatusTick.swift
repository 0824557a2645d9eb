/// How often the run loop calls `RunReporter.tick` while tickets run, so a
/// reporter's clock and status line redraw at this pace.
public enum StatusTick {
    public static let interval = 0.5
}
