// The helper's own tests, as a user would write them: the real, unmodified @alicloud/ecs20140526
// against an emulator the helper starts. Expected codes and messages are written out from the
// ECS docs.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as $Ecs from '@alicloud/ecs20140526';
import { ClientError } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';

import { EmulatorError, start } from '../index.mjs';

const REGION = 'cn-hangzhou';
const SHARED = 'The specified image has been shared to others.';
const THROTTLED = 'You have made too many requests within a short time; your request is denied due to request throttling.';

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected an error, got a success');
}

describe('ecs-emulator-testing', () => {
  let emulator;
  before(async () => {
    emulator = await start({ progress: 'manual,instance=after:0.3' });
  });
  after(async () => {
    const exit = await emulator.stop();
    assert.equal(exit.code, 0, 'graceful shutdown on SIGTERM');
  });
  beforeEach(() => emulator.reset());

  test('deletes a shared image: ImageUseShared, in the request log', async () => {
    const { alice } = await emulator.clients();
    const error = await rejection(alice.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-demo-shared' })));
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'ImageUseShared');
    assert.equal(error.data.Message, SHARED);
    assert.notEqual(await emulator.image('m-demo-shared'), null);

    await alice.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-demo-in-use', force: true }));
    const log = await emulator.requests({ action: 'DeleteImage', caller: 'alice' });
    assert.deepEqual(log.map((e) => [e.Parameters.ImageId, e.Status, e.Code, e.Outcome]), [
      ['m-demo-shared', 403, 'ImageUseShared', 'Refused'],
      ['m-demo-in-use', 200, null, 'Deleted'],
    ]);
    assert.equal(log[1].Parameters.Force, 'true');
    assert.ok(!JSON.stringify(log).includes('Signature'));
  });

  test('recovers from an injected throttle with the SDK retry option', async () => {
    await emulator.addFault({ action: 'DescribeImages', error: 'Throttling', times: 2 });
    const retryOptions = new $dara.RetryOptions({
      retryable: true,
      retryCondition: [{ maxAttempts: 3, errorCode: ['Throttling'], exception: [], backoff: { policy: 'Fixed', period: 10 } }],
    });
    const patient = await emulator.client({ account: 'bob', retryOptions });
    const found = await patient.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION, imageId: 'm-demo-bob' }));
    assert.equal(found.body.totalCount, 1);
    const log = await emulator.requests({ action: 'DescribeImages' });
    assert.deepEqual(log.map((e) => [e.Caller, e.Outcome, e.Code]), [
      ['bob', 'Injected', 'Throttling'],
      ['bob', 'Injected', 'Throttling'],
      ['bob', 'Succeeded', null],
    ]);
  });

  test('without a retry option the throttle reaches the caller', async () => {
    await emulator.addFault({ action: 'DescribeImages', error: 'Throttling', nth: 1 });
    const client = await emulator.client();
    const error = await rejection(client.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION })));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'Throttling');
    assert.equal(error.data.Message, THROTTLED);
    await client.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION }));
  });

  test('a service error with its status, and the rule listed with its counters', async () => {
    const id = await emulator.addFault({ action: 'DeleteImage', imageId: 'm-demo-free', error: 'ServiceUnavailable' });
    const client = await emulator.client();
    const error = await rejection(client.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-demo-free' })));
    assert.equal(error.statusCode, 503);
    assert.equal(error.code, 'ServiceUnavailable');
    assert.notEqual(await emulator.image('m-demo-free'), null, 'a failed call changes nothing');
    const [rule] = await emulator.faults();
    assert.equal(rule.Id, id);
    assert.equal(rule.Fired, 1);
    await emulator.removeFault(id);
    await client.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-demo-free' }));
    assert.equal(await emulator.image('m-demo-free'), null);
  });

  test('reset gives the next test a fresh world, log and rule set (1 of 2)', async () => {
    const client = await emulator.client();
    await client.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-demo-free' }));
    await emulator.addFault({ action: 'DescribeImages', error: 'InternalError' });
  });

  test('reset gives the next test a fresh world, log and rule set (2 of 2)', async () => {
    assert.notEqual(await emulator.image('m-demo-free'), null);
    assert.deepEqual(await emulator.requests(), []);
    assert.deepEqual(await emulator.faults(), []);
  });

  test('a world and a profile of the test\'s own', async () => {
    await emulator.setWorld({
      accounts: [{ id: 'carol', accessKeys: [{ id: 'AKID-carol', secret: 'carol-secret' }] }],
      store: { regions: [REGION], images: [{ id: 'm-carol', owner: 'carol', region: REGION, kind: 'custom', status: 'Available' }] },
    });
    await emulator.setProfile({ missingImage: 'NotFound' });
    const { carol, ...others } = await emulator.clients();
    assert.deepEqual(Object.keys(others), []);
    const error = await rejection(carol.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-gone' })));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'InvalidImageId.NotFound');
    await carol.deleteImage(new $Ecs.DeleteImageRequest({ regionId: REGION, imageId: 'm-carol' }));
  });

  test('a bad rule is refused loudly', async () => {
    const error = await rejection(emulator.addFault({ action: 'DescribeImagez', error: 'Throttling' }));
    assert.ok(error instanceof EmulatorError);
    assert.equal(error.status, 400);
  });

  test('setProgress: under immediate an import ends with no completeTasks, and reset restores the start policy', async () => {
    const c = await emulator.client();
    const statusOf = async (imageId) => (await c.describeImages(new $Ecs.DescribeImagesRequest({ regionId: REGION, imageId, status: 'Creating,Waiting,Available' }))).body.images.image[0].status;
    const startImport = async () => (await c.importImage(new $Ecs.ImportImageRequest({
      regionId: REGION,
      diskDeviceMapping: [new $Ecs.ImportImageRequestDiskDeviceMapping({ OSSBucket: 'bucket', OSSObject: 'image.qcow2', diskImageSize: 40 })],
    }))).body.imageId;

    await emulator.setProgress('manual');
    const waiting = await startImport();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await statusOf(waiting), 'Waiting');

    await emulator.setProgress('immediate');
    assert.equal(await emulator.progress(), 'immediate');
    const image = await startImport();
    assert.equal(await statusOf(image), 'Available');

    await emulator.reset();
    assert.equal(await emulator.progress(), 'manual,instance=after:0.300');
  });

  test('a bad progress policy is refused loudly', async () => {
    const error = await rejection(emulator.setProgress('sometime'));
    assert.ok(error instanceof EmulatorError);
    assert.equal(error.status, 400);
  });
});
