using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MLNet.CnnDiagnostics.Analyzers;

namespace MLNet.CnnDiagnostics.CodeFixes;

/// <summary>CNND001 fix: <c>pipeline.Fit(data)</c> → <c>pipeline.AppendVisualization().Fit(data)</c>, importing MLNet.CnnDiagnostics when needed.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddVisualizationCodeFixProvider)), Shared]
public sealed class AddVisualizationCodeFixProvider : CodeFixProvider
{
    private const string Title = "Insert .AppendVisualization() before .Fit";
    private const string LibraryNamespace = "MLNet.CnnDiagnostics";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(CnnDiagnosticsRules.MissingVisualization.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create((fixAll, document, diagnostics) => FixAsync(document, diagnostics, fixAll.CancellationToken));

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(Title, token => FixAsync(context.Document, ImmutableArray.Create(diagnostic), token)!, equivalenceKey: Title),
                diagnostic);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document?> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken token)
    {
        var root = await document.GetSyntaxRootAsync(token).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(token).ConfigureAwait(false);
        if (root is null || model is null) return document;

        var fits = diagnostics
            .Select(d => root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>())
            .Where(i => i?.Expression is MemberAccessExpressionSyntax)
            .Cast<InvocationExpressionSyntax>()
            .ToList();
        if (fits.Count == 0) return document;

        bool imported = fits.All(f => IsInScope(model, f));
        var newRoot = root.ReplaceNodes(fits, (_, rewritten) => InsertVisualization(rewritten));
        if (!imported && newRoot is CompilationUnitSyntax unit) newRoot = AddImport(unit);
        return document.WithSyntaxRoot(newRoot);
    }

    private static InvocationExpressionSyntax InsertVisualization(InvocationExpressionSyntax fit)
    {
        var access = (MemberAccessExpressionSyntax)fit.Expression;
        // a fluent chain written one call a line gets the new call on its own line, indented like .Fit
        var dot = SyntaxFactory.Token(SyntaxKind.DotToken).WithLeadingTrivia(access.OperatorToken.LeadingTrivia);
        var lineBreak = access.Expression.GetTrailingTrivia();
        bool ownLine = lineBreak.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        var close = SyntaxFactory.Token(SyntaxKind.CloseParenToken).WithTrailingTrivia(ownLine ? lineBreak : default);
        var visualize = SyntaxFactory.InvocationExpression(
            SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, access.Expression, dot, SyntaxFactory.IdentifierName("AppendVisualization")),
            SyntaxFactory.ArgumentList(SyntaxFactory.Token(SyntaxKind.OpenParenToken), default, close));
        return fit.WithExpression(access.WithExpression(visualize));
    }

    private static bool IsInScope(SemanticModel model, InvocationExpressionSyntax fit)
    {
        var receiverType = model.GetTypeInfo(((MemberAccessExpressionSyntax)fit.Expression).Expression).Type;
        return receiverType is not null
            && model.LookupSymbols(fit.SpanStart, receiverType, "AppendVisualization", includeReducedExtensionMethods: true).Any();
    }

    private static CompilationUnitSyntax AddImport(CompilationUnitSyntax unit)
    {
        var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(LibraryNamespace))
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space))
            .WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed);
        if (unit.Usings.Count == 0)
            return unit.WithUsings(unit.Usings.Add(directive.WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"), SyntaxFactory.EndOfLine("\n"))));
        var last = unit.Usings.Last();
        return unit.WithUsings(unit.Usings.Add(directive.WithTrailingTrivia(last.GetTrailingTrivia())));
    }
}
