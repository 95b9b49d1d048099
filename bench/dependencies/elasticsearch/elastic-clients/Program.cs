using Elastic.Clients.Elasticsearch;
using EsProbe;

// The typed response: every index's IndicesStats object is built before the call returns.
return await Probe.RunAsync(args, async (uri, target) =>
{
    var client = new ElasticsearchClient(new ElasticsearchClientSettings(uri));
    var response = target == "_all" ? await client.Indices.StatsAsync() : await client.Indices.StatsAsync(Indices.Parse(target));
    if (!response.IsValidResponse)
    {
        throw new InvalidOperationException("invalid response: " + response.DebugInformation.Split('\n')[0]);
    }

    long docs = 0;
    foreach (var (_, stats) in response.Indices!)
    {
        docs += stats.Primaries?.Docs?.Count ?? 0;
    }

    return (response.Indices!.Count, docs);
});
