/**
 * An IdP's error text names the user it failed on (`Failed to create user token.smith@acme.com: 409`, `user
 * 'credential-tester' exists`): a verdict that reads words in it must not read the user's name, which anyone
 * who can set their own name controls. This drops what is a user's: e-mail addresses (logins) and quoted
 * values, before the text is matched. The text shown keeps them (it is the IdP's words, scrubbed as data).
 */
export function withoutUserNames(text: string): string {
  return text.replace(/[^\s'"<>()[\]{},;]+@[^\s'"<>()[\]{},;]+/g, ' ').replace(/"[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|`[^`]*`/g, ' ')
}
