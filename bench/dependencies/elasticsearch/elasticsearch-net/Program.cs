using Elasticsearch.Net;
using EsProbe;

// The low-level client's DynamicResponse: the response as nested dictionaries.
return await Probe.RunAsync(args, async (uri, target) =>
{
    var client = new ElasticLowLevelClient(new ConnectionConfiguration(uri));
    var response = target == "_all" ? await client.Indices.StatsForAllAsync<DynamicResponse>() : await client.Indices.StatsAsync<DynamicResponse>(target);
    if (!response.Success)
    {
        throw new InvalidOperationException("call failed: " + response.DebugInformation.Split('\n')[0], response.OriginalException);
    }

    long docs = 0;
    var indices = response.Get<DynamicDictionary>("indices");
    foreach (var name in indices.Keys)
    {
        docs += response.Get<long>($"indices.{name}.primaries.docs.count");
    }

    return (indices.Count, docs);
});
