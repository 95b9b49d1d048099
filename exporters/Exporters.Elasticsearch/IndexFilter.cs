namespace Exporters.Elasticsearch;

/// <summary>Decides which indices index-level families report: include and exclude wildcards, system indices, a cap.</summary>
internal sealed class IndexFilter
{
    private readonly string[] _include;
    private readonly string[] _exclude;
    private readonly bool _includeSystem;

    public IndexFilter(ElasticsearchIndexFilterOptions options)
    {
        _include = [.. options.Include];
        _exclude = [.. options.Exclude];
        _includeSystem = options.IncludeSystem;
        MaxIndices = options.MaxIndices;
    }

    /// <summary>The cap, zero for none.</summary>
    public int MaxIndices { get; }

    /// <summary>Whether <paramref name="index"/> passes the patterns (before the cap).</summary>
    public bool Matches(string index)
    {
        if (!_includeSystem && index.StartsWith('.'))
        {
            return _include.Length > 0 && _include.Any(p => p.StartsWith('.') && Wildcard(p, index)) && !_exclude.Any(p => Wildcard(p, index));
        }

        if (_include.Length > 0 && !_include.Any(p => Wildcard(p, index)))
        {
            return false;
        }

        return !_exclude.Any(p => Wildcard(p, index));
    }

    /// <summary>Glob match with <c>*</c> (any run) and <c>?</c> (one character), ordinal.</summary>
    internal static bool Wildcard(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}

/// <summary>The cap's bookkeeping for one scrape.</summary>
internal sealed class IndexBudget(IndexFilter filter)
{
    private string? _lastOmitted;

    public int Reported { get; private set; }

    public int Omitted { get; private set; }

    /// <summary>Whether the entry should be parsed; deterministic for retries of the same entry.</summary>
    public bool Want(string index)
    {
        if (!filter.Matches(index))
        {
            return false;
        }

        if (filter.MaxIndices > 0 && Reported >= filter.MaxIndices)
        {
            if (!string.Equals(_lastOmitted, index, StringComparison.Ordinal))
            {
                _lastOmitted = index;
                Omitted++;
            }

            return false;
        }

        return true;
    }

    public void Take() => Reported++;
}
