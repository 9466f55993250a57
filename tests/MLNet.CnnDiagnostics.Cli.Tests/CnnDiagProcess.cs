using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MLNet.CnnDiagnostics.Cli.Tests;

/// <summary>Runs the built cnndiag tool as a separate process (<c>dotnet cnndiag.dll ...</c>) with redirected streams.</summary>
internal static class CnnDiagProcess
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
    }

    public static string ToolPath { get; } = typeof(CnnDiagProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CnnDiagPath").Value!;

    public static string DotNet
    {
        get
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            // dotnet root = three folders above the runtime directory (shared/Microsoft.NETCore.App/<version>/)
            string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            string candidate = Path.Combine(root, "dotnet");
            return File.Exists(candidate) ? candidate : "dotnet";
        }
    }

    /// <summary>Starts the tool without waiting; its output streams are not redirected (for tests that kill it).</summary>
    public static Process Start(params string[] args) => Process.Start(StartInfo(args, redirect: false))!;

    private static ProcessStartInfo StartInfo(string[] args, bool redirect)
    {
        Assert.IsTrue(File.Exists(ToolPath), $"the tool is not built at {ToolPath}");
        var start = new ProcessStartInfo(DotNet)
        {
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    public static Result Run(params string[] args)
    {
        using var process = Process.Start(StartInfo(args, redirect: true))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"cnndiag {string.Join(' ', args)} did not finish in 3 minutes");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
