export {
  AccountsClient,
  createAccountsClient,
  type AccountsClientOptions,
  type CreatedDisplayTokenInfo,
} from './accounts-client';
