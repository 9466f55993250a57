using MLNet.CnnDiagnostics.Analysis;
using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Reporting.Sections;

/// <summary>Section 2: the first convolution's kernels as RGB tiles, a deeper layer's kernels per output channel; dead filters flagged.</summary>
internal sealed class FiltersSection : DiagnosticSection<FiltersSection.Result>
{
    public override string Id => "filters";

    public override string Title => "Filters";

    internal override ReportSections Flag => ReportSections.Filters;

    public override string Introduction => "The first layer's kernels look like oriented edges and colour blobs in a trained network; noise or flat tiles suggest training problems. Filters whose norm is near zero relative to their layer are flagged dead.";

    /// <summary>Each filter bank shown: its numbers and its grid.</summary>
    internal sealed class Result : SectionResult
    {
        public List<FilterSummary> Filters { get; } = [];

        public List<FigureBlock> Grids { get; } = [];
    }

    public override Result Analyze(ReportContext context)
    {
        var result = new Result();
        var convs = context.Graph.Layers.Where(l => l.OpType == "Conv").ToList();
        if (convs.Count == 0)
        {
            result.Note("The model has no convolution layer.");
            return result;
        }
        var chosen = new List<string> { convs[0].Name };
        if (convs.Count > 2) chosen.Add(convs[convs.Count / 2].Name);
        bool bgr = context.Options.FirstConvolutionReadsBgr ?? ReadsReversedChannels(context);
        foreach (var (name, index) in chosen.Select((n, i) => (n, i)))
        {
            var bank = FilterBank.FromModel(context.Graph, name);
            var options = index == 0
                ? new FilterGridOptions { InputChannelsAreBgr = bgr, MaxFilters = 64 }
                : new FilterGridOptions { Mode = FilterTileMode.AveragedOverInputs, MaxFilters = 64, Colormap = Colormap.BlueWhiteRed };
            var grid = FilterBankRenderer.Render(bank, options);
            result.Grids.Add(new FigureBlock(grid.Image, string.Join(" ", grid.Legend)));
            result.Filters.Add(new FilterSummary { Layer = bank.LayerName, Filters = bank.Weights.Shape[0], Dead = bank.DeadFilters.ToList() });
            if (bank.DeadFilters.Count > 0)
                result.Note($"{bank.LayerName}: {bank.DeadFilters.Count} dead filter(s): {string.Join(", ", bank.DeadFilters)}.");
        }
        return result;
    }

    public override void Render(Result result, SectionWriter writer) => result.Grids.ForEach(writer.Add);

    internal override void Summarize(Result result, ReportSummaryBuilder summary) => summary.Filters.AddRange(result.Filters);

    /// <summary>True when the image input reaches the first convolution through a channel-reversing Split/Concat (ResNet18's RGB→BGR step).</summary>
    private static bool ReadsReversedChannels(ReportContext context) =>
        context.Graph.Layers.Any(l => l.OpType == "Concat" && l.Outputs.Any(o => o.Contains("BGR", StringComparison.OrdinalIgnoreCase)));
}
