import Foundation

/// Writes a line to standard error, where diagnostics belong (journald reads it).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Flushes standard output so a pipe reader sees each line as it is printed.
func fflushStandardOutput() {
    fflush(nil)
}
