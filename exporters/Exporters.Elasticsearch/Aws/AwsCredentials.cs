namespace Exporters.Elasticsearch.Aws;

/// <summary>
/// An AWS access key pair, with a session token and expiry when temporary. <see cref="ToString"/> names the key ID
/// and where the credentials came from, never the secret key or the session token.
/// </summary>
internal sealed class AwsCredentials
{
    public AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken, DateTimeOffset? expiration, string source)
    {
        Source = source;
        AccessKeyId = Check(accessKeyId, "access key ID", source);
        SecretAccessKey = Check(secretAccessKey, "secret access key", source);
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : Check(sessionToken, "session token", source);
        Expiration = expiration;
    }

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    public string? SessionToken { get; }

    /// <summary>When temporary credentials stop working; null for long-term keys.</summary>
    public DateTimeOffset? Expiration { get; }

    /// <summary>Where the credentials came from, for messages: "environment", "web identity", ...</summary>
    public string Source { get; }

    public override string ToString() =>
        $"AWS credentials {AccessKeyId} from {Source}"
        + (SessionToken is null ? string.Empty : " with a session token")
        + (Expiration is { } expiration ? $", expiring {expiration.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}" : string.Empty);

    // The values go into request headers: a line break would split the header, so it is refused (naming the field, not the value).
    private static string Check(string value, string field, string source)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new AwsCredentialsException($"the {field} from {source} is empty");
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || c == ' ')
            {
                throw new AwsCredentialsException($"the {field} from {source} contains a space, line break or control character");
            }
        }

        return value;
    }
}

/// <summary>Credentials could not be had; the message names the source and setting, never a secret.</summary>
internal sealed class AwsCredentialsException : Exception
{
    public AwsCredentialsException(string message)
        : base(message)
    {
    }

    public AwsCredentialsException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    public AwsCredentialsException()
    {
    }
}

/// <summary>A source of AWS credentials. Implementations fetch on every call; <see cref="CachingCredentialsProvider"/> caches.</summary>
internal interface IAwsCredentialsProvider
{
    /// <summary>What this source is, for messages, for example <c>web identity (role arn:aws:iam::1:role/x)</c>.</summary>
    string Description { get; }

    /// <summary>Returns credentials or throws <see cref="AwsCredentialsException"/>.</summary>
    ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken);
}

/// <summary>Fixed credentials, for example from the environment.</summary>
internal sealed class StaticCredentialsProvider(AwsCredentials credentials) : IAwsCredentialsProvider
{
    public string Description => credentials.Source;

    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
}
