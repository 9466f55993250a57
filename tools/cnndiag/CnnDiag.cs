namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// The <c>cnndiag</c> tool: picks the verb, parses its options and maps outcomes to exit codes:
/// 0 success, 2 usage error (the message names the bad argument), 1 failure with a one-line reason
/// (a stack trace only with --verbose).
/// </summary>
internal static class CnnDiag
{
    public const int Success = 0, Failure = 1, UsageError = 2;

    private static readonly Verb[] Verbs = [new LayersVerb(), new ReportVerb(), new ExplainVerb(), new TsneVerb(), new ScanVerb(), new MergeVerb()];

    public static int Run(string[] args, TextWriter output, TextWriter error, bool showProgress)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? error : output).WriteLine(Overview());
            return args.Length == 0 ? UsageError : Success;
        }
        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            error.WriteLine($"cnndiag: unknown command '{DisplayText.Escape(args[0])}'; {ClosestNames.Suggest(args[0], Verbs.Select(v => v.Name), 2)}; valid commands: {string.Join(", ", Verbs.Select(v => v.Name))}.");
            error.WriteLine("Run 'cnndiag --help' for usage.");
            return UsageError;
        }
        var rest = args[1..];
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            output.WriteLine(verb.Usage());
            return Success;
        }
        bool verbose = rest.Contains("--verbose");
        try
        {
            var line = CommandLine.Parse(verb.Name, rest, verb.AllOptions, verb.Positional);
            return verb.Run(line, new Terminal(output, error, showProgress && !line.Has("quiet"), line.Has("quiet")));
        }
        catch (UsageException e)
        {
            error.WriteLine($"cnndiag {verb.Name}: {OneLine(e.Message)}");
            error.WriteLine($"Run 'cnndiag {verb.Name} --help' for usage.");
            return UsageError;
        }
        catch (Exception e) when (e is CnnDiagnosticsException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or ArgumentException or FormatException or NotSupportedException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            error.WriteLine($"cnndiag {verb.Name}: error: {OneLine(Innermost(e).Message)}");
            if (verbose) error.WriteLine(Escaped(e));
            return Failure;
        }
        catch (Exception e) when (!verbose)
        {
            error.WriteLine($"cnndiag {verb.Name}: unexpected error ({e.GetType().Name}): {OneLine(e.Message)} (run with --verbose for the stack trace)");
            return Failure;
        }
        catch (Exception e)
        {
            error.WriteLine($"cnndiag {verb.Name}: unexpected error: {Escaped(e)}");
            return Failure;
        }
    }

    private static string Overview()
    {
        int width = Verbs.Max(v => v.Name.Length);
        return string.Join(Environment.NewLine,
        [
            "usage: cnndiag <command> [options]",
            "",
            "commands:",
            .. Verbs.Select(v => $"  {v.Name.PadRight(width)}  {v.Summary}"),
            "",
            "Run 'cnndiag <command> --help' for a command's options.",
            "Exit codes: 0 success, 1 failure (one-line reason; --verbose adds the stack trace), 2 usage error.",
        ]);
    }

    /// <summary>ML.NET wraps the library's errors (for example in a cursor); the innermost library message is the one that says what is wrong.</summary>
    private static Exception Innermost(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is CnnDiagnosticsException) return inner;
        return e;
    }

    private static string Escaped(Exception e) => string.Join('\n', e.ToString().Split('\n').Select(l => DisplayText.Escape(l.TrimEnd('\r'))));

    // one line, and no control character from a name in the message reaches the terminal
    private static string OneLine(string message) =>
        DisplayText.Escape(string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
}
