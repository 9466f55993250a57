/// <summary>The QuickStart's few options (all optional).</summary>
internal sealed record QuickStartOptions(int Rows, int ReportRows, string ReportPath, string ImageFolder)
{
    public static QuickStartOptions Parse(string[] args)
    {
        int rows = 2000, reportRows = 500;
        string output = Path.Combine("artifacts", "quickstart-report.html");
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--rows": rows = int.Parse(Next()); break;
                case "--report-rows": reportRows = int.Parse(Next()); break;
                case "--out": output = Next(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'; valid: --rows N (digits, default 2000), --report-rows N (default 500), --out PATH.");
            }
        }
        if (rows < 20 || rows > 10_000) throw new ArgumentException($"--rows {rows} is outside 20..10000 (MNIST's test set has 10,000 digits).");
        string full = Path.GetFullPath(output);
        return new QuickStartOptions(rows, Math.Min(reportRows, rows), full, Path.Combine(Path.GetDirectoryName(full)!, "mnist-png"));
    }
}
