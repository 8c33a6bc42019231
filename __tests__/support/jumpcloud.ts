/** JumpCloud inputs for the tests: every host at the loopback fake. */
import type { JumpCloudAuth, JumpCloudInputs } from '../../src/idp/jumpcloud/config.js'
import { JC_APP_ID } from '../../simulator/jumpcloud-fake.mjs'

export function jcInputs(url: string, auth: JumpCloudAuth, over: Partial<JumpCloudInputs> = {}): JumpCloudInputs {
  return { appId: JC_APP_ID, orgId: null, consoleUrl: url, insightsUrl: url, oauthUrl: url, lookbackHours: 720, auth, ...over }
}
