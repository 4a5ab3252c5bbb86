using System.Diagnostics;
using System.Text;

namespace MailboxImportExport.Tests;

/// <summary>What a child process wrote (standard output and error, interleaved as they came) and its exit code.</summary>
public sealed record ChildProcessResult(int ExitCode, string Output);

/// <summary>Runs a child process to its end: no input, both output streams read as they come (so that it never
/// blocks on a full pipe), and the whole process tree killed when it outlives its time.</summary>
public static class ChildProcess
{
    public static ChildProcessResult Run(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalMinutes} minutes:\n{log}");
        }
        // The parameterless wait also waits for the output events of the last lines.
        process.WaitForExit();
        lock (log) return new ChildProcessResult(process.ExitCode, log.ToString());
    }

    /// <summary><see cref="Run"/>, failing with everything the process wrote unless it exits with 0.</summary>
    public static string RunToSuccess(ProcessStartInfo start, TimeSpan timeout)
    {
        var result = Run(start, timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with code {result.ExitCode}:\n{result.Output}");
        }
        return result.Output;
    }
}
