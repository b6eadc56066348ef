// The current Node SDK (@alicloud/ecs20140526, Darabonba) against the emulator, unmodified,
// signing with ACS3-HMAC-SHA256 and the demo world's real keys. Errors are read through its own
// ClientError (docs/clients.md §5a).

import { readFileSync } from 'node:fs';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import * as $OpenApi from '@alicloud/openapi-client';
import { ClientError } from '@alicloud/openapi-core';

const Client = EcsModule.default ?? EcsModule;
const ENDPOINT = process.env.EMULATOR_ENDPOINT;
const EXPECT = JSON.parse(readFileSync(new URL('../expectations.json', import.meta.url), 'utf8'));
const REGION = EXPECT.region;
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

let passed = 0;
let failed = 0;
let lastFailed = false;

async function check(name, fn) {
  try {
    await fn();
    lastFailed = false;
    passed += 1;
    console.log(`ok - node-dara: ${name}`);
  } catch (e) {
    lastFailed = true;
    failed += 1;
    console.log(`not ok - node-dara: ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}

function equal(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function requestId(value, what = 'request id') {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new Error(`${what}: expected an uppercase UUID, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function admin(method, path, body) {
  const response = await fetch(`http://${ENDPOINT}/_emulator/${path}`, {
    method,
    // JSON, said so: the admin API refuses text/plain, fetch's default for a string body.
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status}`);
  return response.json();
}

const reset = () => admin('POST', 'reset', {});

function client({ account = 'alice', keyId, secret } = {}) {
  const keys = EXPECT.accounts[account];
  return new Client(new $OpenApi.Config({
    accessKeyId: keyId ?? keys.accessKeyId,
    accessKeySecret: secret ?? keys.secret,
    endpoint: ENDPOINT,
    protocol: 'http',
    regionId: REGION,
  }));
}

async function refused(thunk, { status, code, message, messagePrefix }) {
  let error;
  try {
    await thunk();
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected ClientError ${code}, got a success`);
  if (!(error instanceof ClientError)) throw new Error(`expected ClientError, got ${error && error.name}: ${error}`);
  equal(error.name, 'ClientError', 'name');
  equal(error.statusCode, status, 'statusCode');
  equal(error.code, code, 'code');
  const rid = requestId(error.requestId, 'requestId');
  equal(error.data.RequestId, rid, 'data.RequestId');
  const text = error.data.Message;
  if (message !== undefined) equal(text, message, 'data.Message');
  if (messagePrefix !== undefined && !text.startsWith(messagePrefix)) {
    throw new Error(`message ${JSON.stringify(text)} does not start with ${JSON.stringify(messagePrefix)}`);
  }
  equal(error.message, `${code}: code: ${status}, ${text} request id: ${rid}`, 'message');
  return error;
}

const deleteImage = (c, regionId, imageId, extra = {}) =>
  c.deleteImage(new $Ecs.DeleteImageRequest({ regionId, imageId, ...extra }));

await reset();
for (const c of EXPECT.refusals) {
  await check(`ACS3-HMAC-SHA256: DeleteImage ${c.name}`, () => refused(
    () => deleteImage(client({ account: c.caller }), c.region, c.image, c.dryRun ? { dryRun: true } : {}),
    c,
  ));
}

const unknown = EXPECT.unknownKey;
await check('ACS3-HMAC-SHA256: unknown access key', () => refused(
  () => deleteImage(client({ keyId: unknown.accessKeyId, secret: unknown.secret }), REGION, 'm-demo-free'),
  unknown,
));
const bad = EXPECT.badSecret;
await check('ACS3-HMAC-SHA256: wrong secret', () => refused(
  () => deleteImage(client({ secret: bad.secret }), REGION, 'm-demo-free'),
  bad,
));

await check('ACS3-HMAC-SHA256: DeleteImage deletes, then ignores', async () => {
  const c = client();
  const first = await deleteImage(c, REGION, 'm-demo-free');
  equal(first.statusCode, 200, 'statusCode');
  requestId(first.body.requestId);
  equal(first.headers['x-emulator-outcome'], 'Deleted', 'outcome of the first delete');
  const again = await deleteImage(c, REGION, 'm-demo-free');
  equal(again.statusCode, 200, 'statusCode of the repeat');
  requestId(again.body.requestId);
  if (again.body.requestId === first.body.requestId) throw new Error('two calls share a request id');
  equal(again.headers['x-emulator-outcome'], 'Ignored', 'outcome of the repeat');
});

await check('ACS3-HMAC-SHA256: Force=true deletes an image in use', async () => {
  const answer = await deleteImage(client(), REGION, 'm-demo-in-use', { force: true });
  equal(answer.headers['x-emulator-outcome'], 'Deleted', 'Force=true outcome');
});

// The full lifecycle: one image through every blocker, each refusal read through ClientError,
// each undone with the API its message points to. Once a step fails, the rest are reported as
// failed too (they depend on it).
await reset();
const blocker = (name) => EXPECT.refusals.find((c) => c.name === name);
const c = client();
const s = {};
const refusedAs = (name, region = REGION, image = undefined) =>
  refused(() => deleteImage(c, region, image ?? s.image), blocker(name));
const share = (fields) => c.modifyImageSharePermission(
  new $Ecs.ModifyImageSharePermissionRequest({ regionId: REGION, imageId: s.image, ...fields }));
const steps = [
  ['CreateImage, finished', async () => {
    const made = await c.createImage(new $Ecs.CreateImageRequest({ regionId: REGION, snapshotId: 's-life-1' }));
    s.image = made.body.imageId;
    requestId(made.body.requestId);
    const done = await admin('POST', `tasks/complete?ImageId=${s.image}`);
    equal(JSON.stringify(done.FinishedImageIds), JSON.stringify([s.image]), 'finished');
    const found = await c.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION, imageId: s.image }));
    equal(found.body.totalCount, 1, 'DescribeImages TotalCount');
    equal(found.body.images.image[0].status, 'Available', 'status');
  }],
  ['Shared', async () => {
    await share({ addAccount: ['bob'] });
    await refusedAs('Shared');
    const shares = await c.describeImageSharePermission(
      new $Ecs.DescribeImageSharePermissionRequest({ regionId: REGION, imageId: s.image }));
    equal(JSON.stringify(shares.body.accounts.account.map((a) => a.aliyunId)), '["bob"]', 'shared with');
    await share({ removeAccount: ['bob'] });
  }],
  ['Public', async () => {
    await share({ isPublic: true });
    await refusedAs('Public');
    await share({ isPublic: false });
  }],
  ['InUse', async () => {
    const ran = await c.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: s.image, amount: 1 }));
    const instance = ran.body.instanceIdSets.instanceIdSet[0];
    await refusedAs('InUse');
    const listed = await c.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, imageId: s.image }));
    equal(JSON.stringify(listed.body.instances.instance.map((i) => i.instanceId)), JSON.stringify([instance]), 'DescribeInstances');
    // The service settles it on its own (no admin call): wait as Packer does.
    const waitFor = async (status) => {
      for (let i = 0; i < 100; i += 1) {
        const found = await c.describeInstances(new $Ecs.DescribeInstancesRequest({
          regionId: REGION, instanceIds: JSON.stringify([instance]), status }));
        if (found.body.instances.instance.map((x) => x.instanceId).join() === instance) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${instance} never became ${status}`);
    };
    await waitFor('Running');
    await c.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: instance }));
    await waitFor('Stopped');
    await c.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: instance }));
  }],
  ['Exporting', async () => {
    // OSSBucket is required: without it, the documented MissingParameter.
    await refused(() => c.exportImage(new $Ecs.ExportImageRequest({ regionId: REGION, imageId: s.image })),
      { status: 400, code: 'MissingParameter', message: 'An input parameter "OSSBucket" that is mandatory for processing the request is not supplied.' });
    const task = (await c.exportImage(new $Ecs.ExportImageRequest({ regionId: REGION, imageId: s.image, OSSBucket: 'bucket' }))).body.taskId;
    await refusedAs('Exporting');
    const tasks = await c.describeTasks(new $Ecs.DescribeTasksRequest({ regionId: REGION, taskAction: 'ExportImage', taskStatus: 'Processing' }));
    if (!tasks.body.taskSet.task.some((t) => t.taskId === task)) throw new Error(`DescribeTasks does not list ${task}`);
    await c.cancelTask(new $Ecs.CancelTaskRequest({ regionId: REGION, taskId: task }));
  }],
  ['Copying', async () => {
    const copy = (await c.copyImage(new $Ecs.CopyImageRequest({ regionId: REGION, imageId: s.image, destinationRegionId: 'cn-shanghai' }))).body.imageId;
    await refusedAs('Copying (source)');
    await refusedAs('Copying (destination)', 'cn-shanghai', copy);
    await c.cancelCopyImage(new $Ecs.CancelCopyImageRequest({ regionId: 'cn-shanghai', imageId: copy }));
  }],
  ['Importing', async () => {
    await refused(() => c.importImage(new $Ecs.ImportImageRequest({ regionId: REGION })),
      { status: 403, code: 'MissingParameter.DiskDeviceMapping', message: 'The specified parameter DiskDeviceMapping is not supplied.' });
    const started = (await c.importImage(new $Ecs.ImportImageRequest({
      regionId: REGION,
      diskDeviceMapping: [new $Ecs.ImportImageRequestDiskDeviceMapping({ OSSBucket: 'bucket', OSSObject: 'image.qcow2', diskImageSize: 40 })],
    }))).body;
    await refusedAs('Importing', REGION, started.imageId);
    await c.cancelTask(new $Ecs.CancelTaskRequest({ regionId: REGION, taskId: started.taskId }));
  }],
  ['DeleteImage at last', async () => {
    const answer = await deleteImage(c, REGION, s.image);
    equal(answer.headers['x-emulator-outcome'], 'Deleted', 'outcome');
  }],
];
let broken;
for (const [name, fn] of steps) {
  await check(`lifecycle: ${name}`, broken ? () => { throw new Error(`not run: step ${broken} failed`); } : fn);
  if (!broken && lastFailed) broken = name;
}

// Terraform's alicloud_image tags: Tag.N at CreateImage, an update (UntagResources for removed
// keys, then TagResources), the read back with ListTagResources, and Packer's DescribeRegions.
await reset();
const t = {};
const tagPairs = (items) => JSON.stringify(items.map((x) => [x.tagKey, x.tagValue]));
const tagSteps = [
  ['CreateImage with Tag.N', async () => {
    const made = await c.createImage(new $Ecs.CreateImageRequest({
      regionId: REGION, snapshotId: 's-tags-1',
      tag: [new $Ecs.CreateImageRequestTag({ key: 'env', value: 'dev' }), new $Ecs.CreateImageRequestTag({ key: 'old', value: 'x' })],
    }));
    t.image = made.body.imageId;
  }],
  ['tag update', async () => {
    await c.untagResources(new $Ecs.UntagResourcesRequest({ regionId: REGION, resourceType: 'image', resourceId: [t.image], tagKey: ['old'] }));
    await c.tagResources(new $Ecs.TagResourcesRequest({
      regionId: REGION, resourceType: 'image', resourceId: [t.image],
      tag: [new $Ecs.TagResourcesRequestTag({ key: 'env', value: 'prod' }), new $Ecs.TagResourcesRequestTag({ key: 'team', value: 'a' })],
    }));
  }],
  ['ListTagResources reads the tags', async () => {
    const listed = await c.listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: REGION, resourceType: 'image', resourceId: [t.image] }));
    equal(tagPairs(listed.body.tagResources.tagResource), JSON.stringify([['env', 'prod'], ['team', 'a']]), 'ListTagResources');
    equal(listed.body.nextToken, undefined, 'NextToken on the last page');
    const found = await c.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION, imageId: t.image, status: 'Creating,Available' }));
    equal(tagPairs(found.body.images.image[0].tags.tag), JSON.stringify([['env', 'prod'], ['team', 'a']]), 'DescribeImages Tags');
  }],
  ['refusals', async () => {
    await refused(() => c.tagResources(new $Ecs.TagResourcesRequest({
      regionId: REGION, resourceType: 'image', resourceId: [t.image],
      tag: Array.from({ length: 21 }, (_, i) => new $Ecs.TagResourcesRequestTag({ key: `k${i}`, value: 'v' })),
    })), { status: 400, code: 'NumberExceed.Tags', message: "The Tags parameter's number is exceed , Valid : 20" });
  }],
  ['DescribeRegions', async () => {
    const answer = await c.describeRegions(new $Ecs.DescribeRegionsRequest({ acceptLanguage: 'en-US' }));
    const hangzhou = answer.body.regions.region.find((r) => r.regionId === REGION);
    equal(hangzhou.localName, 'China (Hangzhou)', 'LocalName');
  }],
];
broken = undefined;
for (const [name, fn] of tagSteps) {
  await check(`tags: ${name}`, broken ? () => { throw new Error(`not run: step ${broken} failed`); } : fn);
  if (!broken && lastFailed) broken = name;
}

console.log(`node-dara: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
