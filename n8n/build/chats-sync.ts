import { checkJs, WAHA_RESULT_JS } from './js.js';
import {
  CMD,
  code,
  intake,
  M,
  router,
  SESSION,
  SESSION_IDS,
  sessionFailureNode,
  waha,
  writeBack,
  writeBackFailed,
} from './nodes.js';
import { type N8nWorkflow, Workflow } from './workflow.js';

export function chatsSync(): N8nWorkflow {
  const wf = new Workflow('whHubChatsSync', 'whatsapp-hub: chats.sync');
  const { command } = intake(
    wf,
    'chats.sync',
    'chats-sync',
    `for (const key of ['chatsLimit', 'messagesLimit']) {
  if (payload[key] !== undefined && (!Number.isInteger(payload[key]) || payload[key] < 1 || payload[key] > 1000)) {
    reject('payload.' + key + ' must be an integer from 1 to 1000');
  }
}`,
  );
  const failed = writeBackFailed(wf, [9, 3]);
  const reportFailure = sessionFailureNode(wf, [8, 2], failed);

  const overview = waha(
    wf,
    'Get chats overview',
    {
      method: 'GET',
      path: `'/api/' + ${SESSION} + '/chats/overview'`,
      query: { limit: `String(${CMD}.payload.chatsLimit ?? 20)` },
    },
    [3, 0],
  );
  wf.connect(command, overview);
  const checkChats = code(
    wf,
    'Check chats',
    checkJs('GET /api/{session}/chats/overview', 'r.ok && Array.isArray(r.body)'),
    [4, 0],
  );
  wf.connect(overview, checkChats);
  const chatsOk = router(wf, 'Chats read?', 2, [5, 0]);
  wf.connect(checkChats, chatsOk);
  wf.connect(chatsOk, reportFailure, 1);
  const upsertChats = writeBack(
    wf,
    'Upsert chats',
    M.upsertChats,
    `{ input: { ${SESSION_IDS}, chats: $json.body } }`,
    [6, 0],
    failed,
  );
  wf.connect(chatsOk, upsertChats, 0);
  const eachChat = code(
    wf,
    'Each chat',
    `if ($input.first().json.errors) return [];
const chats = $('Check chats').last().json.body;
return chats
  .map((chat) => (typeof chat.id === 'string' ? chat.id : chat.id && chat.id._serialized))
  .filter((id) => typeof id === 'string' && id !== '')
  .map((chatId) => ({ json: { chatId } }));
`,
    [7, 0],
  );
  wf.connect(upsertChats, eachChat, 0);
  const messages = waha(
    wf,
    'Get chat messages',
    {
      method: 'GET',
      path: `'/api/' + ${SESSION} + '/chats/' + encodeURIComponent($json.chatId) + '/messages'`,
      query: { limit: `String(${CMD}.payload.messagesLimit ?? 20)`, downloadMedia: "'false'" },
    },
    [8, 0],
  );
  wf.connect(eachChat, messages);
  const collect = code(
    wf,
    'Collect messages',
    `${WAHA_RESULT_JS}
const chats = $('Each chat').all();
const all = [];
for (const [index, item] of $input.all().entries()) {
  const chatId = chats[index] ? chats[index].json.chatId : null;
  const r = wahaResult(item.json, 'GET /api/{session}/chats/{chatId}/messages');
  if (!r.ok || !Array.isArray(r.body)) {
    const failure = r.ok ? { reason: 'WAHA answered chat messages for ' + chatId + ' without a list', wahaStatusCode: r.statusCode, wahaMessage: null, status: null } : r.failure();
    return [{ json: { route: 1, failure } }];
  }
  all.push(...r.body);
}
return [{ json: { route: 0, messages: all } }];
`,
    [9, 0],
  );
  wf.connect(messages, collect);
  const messagesOk = router(wf, 'Messages read?', 2, [10, 0]);
  wf.connect(collect, messagesOk);
  wf.connect(messagesOk, reportFailure, 1);
  writeBack(
    wf,
    'Upsert messages',
    M.upsertMessages,
    `{ input: { ${SESSION_IDS}, messages: $json.messages } }`,
    [11, 0],
    failed,
  );
  wf.connect(messagesOk, 'Upsert messages', 0);
  return wf.build();
}
