using MLNet.CnnDiagnostics.Execution;
using MLNet.CnnDiagnostics.Scans;

namespace MLNet.CnnDiagnostics.Cli;

/// <summary>
/// <c>cnndiag scan</c>: one pass over every image of a folder (or of one shard of it) collecting top patches, activation
/// quantiles, embeddings and predictions into a scan folder; running it again continues from the last checkpoint.
/// </summary>
internal sealed class ScanVerb : Verb
{
    public override string Name => "scan";

    public override string Summary => "scan every image of a folder (resumable, shardable): top patches, activation quantiles, embeddings and predictions";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        ImagePreprocessing.Options[0],
        OptionSpec.Required("images", "DIR", "image folder with one sub-folder per class"),
        .. ImagePreprocessing.Options.Skip(1),
        OptionSpec.Value("layers", "L...", "layers to investigate (node or tensor names; default: chosen by the layer selector)"),
        OptionSpec.Value("k", "K", "top activating patches kept per channel (default 16)"),
        OptionSpec.Value("batch", "N", "images per inference batch (default 64)"),
        OptionSpec.Value("checkpoint-every", "N", "write a checkpoint after every N images (default 2048)"),
        OptionSpec.Value("shard", "i/n", "scan only share i of n (0-based) of the files, chosen by a hash of each file's path; merge the shards with 'cnndiag merge'"),
        OptionSpec.Value("device", "cpu|cuda", "ONNX Runtime execution provider (default cpu)"),
        OptionSpec.Value("decode-threads", "N", "threads decoding images while the model runs (default: one per core)"),
        OptionSpec.Required("out", "DIR", "the scan folder: created when missing; a folder holding an unfinished scan of the same command is continued"),
    ];

    public override string Notes => ImagePreprocessing.Notes +
        "\nThe scan folder holds scan.state and three tables readable with numpy.load: ids.npy (image index in the folder's sorted listing)," +
        "\nembeddings.npy [images, dimension] and predictions.npy. After a kill, run the same command again: it continues from the last" +
        "\ncheckpoint and ends identical to an uninterrupted run. Unreadable images are skipped and listed in the state.";

    public override int Run(CommandLine line, Terminal terminal)
    {
        string images = ImageFolder.RequireFolder(line.RequiredString("images"));
        string outArg = line.RequiredString("out");
        string output = Path.GetFullPath(outArg);
        if (File.Exists(output)) throw new UsageException($"'--out {outArg}' is a file; give a folder for the scan (it is created when missing).");
        if (!Directory.Exists(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(output))))
            throw new UsageException($"'--out {outArg}': its parent folder does not exist; create it first or choose another path.");
        var options = new ActivationScanOptions
        {
            K = line.Int("k", 1, 4096) ?? 16,
            BatchSize = line.Int("batch", 1, 65536) ?? 64,
            CheckpointEvery = line.Int("checkpoint-every", 1) ?? 2048,
            DecodeThreads = line.Int("decode-threads", 1, 1024) ?? 0,
            // decoders share the cores with ONNX Runtime: its threads must not spin between batches
            Execution = new ExecutionOptions { UseCuda = (line.Choice("device", ["cpu", "cuda"]) ?? "cpu") == "cuda", SpinWhileIdle = false },
        };
        if (line.String("shard") is { } shard)
        {
            try { options.Shard = ScanShard.Parse(shard); }
            catch (FormatException e) { throw new UsageException($"'--shard {shard}': {e.Message}"); }
        }
        var pre = ImagePreprocessing.FromCommandLine(line);
        options.Layers = pre.Layers(line);
        var listing = ImageFolder.Scan(images);
        var source = new ImageFolderSource(images, listing, pre);
        // CNNDIAG_SCAN_PROFILE=1: stages run one after another and their CPU time is printed (where the scan's time goes)
        bool profile = Environment.GetEnvironmentVariable("CNNDIAG_SCAN_PROFILE") == "1";
        if (profile) (options.Execution.IntraOpThreads, options.DecodeThreads) = (1, 1);
        using var scan = new ActivationScan(pre.Model, options) { StageClock = profile ? new ScanStageClock() : null };
        terminal.Error.WriteLine(Terminal.Escape($"cnndiag scan: {listing.Rows.Count} images listed; shard {options.Shard}; layers {string.Join(", ", scan.Selection.Investigation.Select(l => l.Tensor))}; " +
            $"embedding {scan.Selection.Embedding.Tensor}; prediction {scan.Selection.Logits.Tensor}; {(options.Execution.UseCuda ? "CUDA" : "CPU")}."));
        using var progress = new ScanProgressWriter(terminal);
        var state = scan.Run(source, output, progress);
        progress.Dispose();
        terminal.Out.WriteLine(Terminal.Escape($"scan: {output}"));
        terminal.Error.WriteLine($"{state.Rows} images scanned, {state.Skipped.Count} skipped, of {state.Planned} in shard {options.Shard}" +
            (progress.Last is { ImagesPerSecond: > 0 } last ? $"; this run: {last.ImagesPerSecond:F1} images/s." : "."));
        if (scan.StageClock is { } clock) terminal.Error.WriteLine(clock.Summary(state.Rows));
        foreach (var (id, reason) in state.Skipped.Take(20))
            terminal.Error.WriteLine(Terminal.Escape($"cnndiag scan: warning: skipped image '{source.RelativePath(id)}': {reason}."));
        if (state.Skipped.Count > 20) terminal.Error.WriteLine($"cnndiag scan: warning: ... and {state.Skipped.Count - 20} more skipped images (listed in the scan state).");
        return CnnDiag.Success;
    }

    /// <summary>Progress on the error stream: a redrawn bar on a terminal, else a line every 10 seconds (batch logs of Slurm and Kubernetes).</summary>
    private sealed class ScanProgressWriter(Terminal terminal) : IProgress<ScanProgress>, IDisposable
    {
        private readonly ConsoleProgressBar? _bar = terminal.NewProgressBar();
        private DateTime _last = DateTime.UtcNow;

        /// <summary>The latest progress (its rate is this run's).</summary>
        public ScanProgress? Last { get; private set; }

        public void Report(ScanProgress value)
        {
            Last = value;
            if (_bar is not null)
            {
                _bar.Report(new DiagnosticsProgress($"scan: {value}", value.Done, value.Planned));
                return;
            }
            if (!terminal.ShowsMessages || (DateTime.UtcNow - _last).TotalSeconds < 10) return;
            _last = DateTime.UtcNow;
            terminal.Error.WriteLine($"scan: {value}");
        }

        public void Dispose() => _bar?.Dispose();
    }
}
