import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginAttempts } from './login-attempts.js';
import { StaffUser } from './staff-user.entity.js';
import { StaffController } from './staff.controller.js';
import { StaffService } from './staff.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([StaffUser]),
    JwtModule.registerAsync({
      inject: [REGISTRY_CONFIG],
      useFactory: (config: RegistryConfig) => ({ secret: config.auth.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, StaffController],
  providers: [AuthService, StaffService, LoginAttempts, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [StaffService, AuthService],
})
export class AuthModule {}
