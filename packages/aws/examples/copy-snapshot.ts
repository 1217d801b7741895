import { createAwsEbsCopier } from '@snapcopy/aws';
import { is } from '@snapcopy/core';

// Credentials: the AWS SDK's default chain. SNAPCOPY_AWS_ENDPOINT, when set (as
// `snapcopy sandbox --env` does), sends every call to the sandbox instead of AWS.
const copier = createAwsEbsCopier({ endpoint: process.env.SNAPCOPY_AWS_ENDPOINT });
const request = {
  source: { region: 'us-east-1', snapshotId: 'snap-0a000000000000001' },
  destination: { region: 'us-west-2' },
  encryption: { encrypted: true, kmsKeyId: 'alias/backup' },
  tags: { team: 'dr' },
  clientToken: 'nightly-web-1',
};

const plan = await copier.plan(request); // reads only; never mutates
console.log(plan.encryption, plan.transfer, plan.sizeBasis, plan.billableGiB, plan.reasons);

const handle = await copier.copy(request, { plan }); // retries reuse the token: one copy
console.log(handle.$metadata?.requestId); // like the AWS SDK: the provider's request ids
try {
  const final = await copier.wait(handle, {
    maxWaitTime: 3600, // seconds, as the AWS SDK's waiters count
    onProgress: (s) => console.log(`${s.progress}%`),
  });
  console.log(`${handle.region}/${handle.snapshotId}: ${final.state}`);
} catch (err) {
  if (!is(err, 'TIMEOUT')) throw err;
  console.log(`${handle.region}/${handle.snapshotId}: still copying`); // wait never deletes a copy
}

// Every copy snapcopy made of the source in that region, page by page.
for await (const copy of copier.listCopies({ region: 'us-west-2', sourceId: request.source.snapshotId })) {
  console.log(copy.ref.snapshotId, copy.state, copy.clientToken);
}
