// closes the identity-link popup once it is back on the store (Magento's loginSuccessCallback)
setTimeout(() => window.close(), 1000);
